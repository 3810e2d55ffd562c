package io.vplane.engine.errors;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vplane.engine.counters.Counters;
import io.vplane.engine.counters.EngineMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorLogTest
{
    private final Counters counters = Counters.inMemory(64);
    private final AtomicLong now = new AtomicLong(1_000);
    private final ErrorLog errors = new ErrorLog(counters, now::get, 10_000);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger logger = (Logger)LoggerFactory.getLogger(ErrorLog.class);

    @BeforeEach
    void captureLog()
    {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void releaseLog()
    {
        logger.detachAppender(appender);
    }

    @Test
    void shouldLogTheFirstOccurrenceThenOncePerWindowWithTheCountInBetween()
    {
        for (int i = 0; i < 100; i++)
        {
            errors.record("vhost-user", "bad-descriptor", "port p0: descriptor " + i + " out of bounds");
        }
        now.addAndGet(10_000);
        errors.record("vhost-user", "bad-descriptor", "port p0: descriptor 100 out of bounds");

        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
            "vhost-user/bad-descriptor: port p0: descriptor 0 out of bounds",
            "vhost-user/bad-descriptor: port p0: descriptor 100 out of bounds (and 99 more like it since the last report)");
    }

    @Test
    void shouldCountEveryOccurrencePerComponentAndKind()
    {
        errors.record("a", "x", "1");
        errors.record("a", "x", "2");
        errors.record("a", "y", "3");

        final long[] x = {-1};
        final long[] y = {-1};
        counters.reader().forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (label.startsWith(EngineMetrics.ERRORS_TOTAL) && label.contains("error=\"x\""))
            {
                x[0] = counters.reader().getCounterValue(counterId);
            }
            if (label.startsWith(EngineMetrics.ERRORS_TOTAL) && label.contains("error=\"y\""))
            {
                y[0] = counters.reader().getCounterValue(counterId);
            }
        });
        assertThat(x[0]).isEqualTo(2);
        assertThat(y[0]).isEqualTo(1);
        assertThat(appender.list).hasSize(2);
    }
}
