package io.vplane.vsock.device;

import io.vplane.engine.counters.Counters;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.List;

/** The counters of one vsock device, labelled {@code device=NAME}; see docs/counters.md. */
public final class VsockCounters implements AutoCloseable
{
    public static final String STREAMS = "vplane_vsock_streams";
    public static final String STREAMS_OPENED = "vplane_vsock_streams_opened_total";
    public static final String BYTES = "vplane_vsock_bytes_total";
    public static final String CREDIT_STALLS = "vplane_vsock_credit_stalls_total";
    public static final String RESETS = "vplane_vsock_resets_total";
    public static final String BAD_PACKETS = "vplane_vsock_bad_packets_total";
    public static final String BAD_HANDSHAKES = "vplane_vsock_bad_handshakes_total";
    public static final String REFUSED = "vplane_vsock_refused_total";
    public static final String STREAMS_DROPPED = "vplane_vsock_streams_dropped_total";
    public static final String TIMEOUTS = "vplane_vsock_timeouts_total";
    public static final String RING_ERRORS = "vplane_vsock_ring_errors_total";
    public static final String PROTOCOL_ERRORS = "vplane_vsock_vhost_protocol_errors_total";
    public static final String VHOST_CONNECTIONS = "vplane_vsock_vhost_connections_total";

    /** Streams open now. */
    final AtomicCounter streams;
    final AtomicCounter streamsOpened;
    /** Streams closed because the frontend went away (the guest reset, QEMU gone). */
    final AtomicCounter streamsDropped;
    /** Payload bytes into the guest (dir=to_guest) and out of it (dir=from_guest). */
    final AtomicCounter toGuestBytes;
    final AtomicCounter fromGuestBytes;
    /** Times a stream had host data but no guest credit. */
    final AtomicCounter creditStalls;
    /** RSTs sent to the guest for a fault or refusal, and RSTs the guest sent. */
    final AtomicCounter resets;
    /** Packets with a bad header, length, address or credit. */
    final AtomicCounter badPackets;
    final AtomicCounter badHandshakes;
    /** Connections refused: nobody listens on udsPath_P, or the stream table is full. */
    final AtomicCounter refused;
    /** Host connections closed for a CONNECT line not finished in time (stage=handshake), REQUESTs the guest did not answer (stage=request). */
    final AtomicCounter handshakeTimeouts;
    final AtomicCounter requestTimeouts;
    final AtomicCounter ringErrors;
    final AtomicCounter protocolErrors;
    final AtomicCounter vhostConnections;

    public VsockCounters(final Counters counters, final String device)
    {
        streams = counters.gauge(STREAMS, "device", device);
        streamsOpened = counters.counter(STREAMS_OPENED, "device", device);
        streamsDropped = counters.counter(STREAMS_DROPPED, "device", device);
        toGuestBytes = counters.counter(BYTES, "device", device, "dir", "to_guest");
        fromGuestBytes = counters.counter(BYTES, "device", device, "dir", "from_guest");
        creditStalls = counters.counter(CREDIT_STALLS, "device", device);
        resets = counters.counter(RESETS, "device", device);
        badPackets = counters.counter(BAD_PACKETS, "device", device);
        badHandshakes = counters.counter(BAD_HANDSHAKES, "device", device);
        refused = counters.counter(REFUSED, "device", device);
        handshakeTimeouts = counters.counter(TIMEOUTS, "device", device, "stage", "handshake");
        requestTimeouts = counters.counter(TIMEOUTS, "device", device, "stage", "request");
        ringErrors = counters.counter(RING_ERRORS, "device", device);
        protocolErrors = counters.counter(PROTOCOL_ERRORS, "device", device);
        vhostConnections = counters.counter(VHOST_CONNECTIONS, "device", device);
    }

    @Override
    public void close()
    {
        for (final AtomicCounter counter : List.of(streams, streamsOpened, streamsDropped, toGuestBytes, fromGuestBytes, creditStalls, resets,
            badPackets, badHandshakes, refused, handshakeTimeouts, requestTimeouts, ringErrors, protocolErrors, vhostConnections))
        {
            counter.close();
        }
    }
}
