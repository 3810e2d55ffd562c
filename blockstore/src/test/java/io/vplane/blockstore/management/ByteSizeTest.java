package io.vplane.blockstore.management;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteSizeTest
{
    @Test
    void shouldReadPlainBytes()
    {
        assertThat(ByteSize.parse("size", "1048576")).isEqualTo(1L << 20);
        assertThat(ByteSize.parse("size", 4096)).isEqualTo(4096);
        assertThat(ByteSize.parse("size", 4096L)).isEqualTo(4096);
    }

    @Test
    void shouldReadBinaryUnitsInAnySpelling()
    {
        assertThat(ByteSize.parse("size", "512M")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("size", "10G")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("size", "10g")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("size", "10GiB")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("size", "10 GB")).isEqualTo(10L << 30);
        assertThat(ByteSize.parse("size", "4K")).isEqualTo(4096);
        assertThat(ByteSize.parse("size", "2T")).isEqualTo(2L << 40);
        assertThat(ByteSize.parse("size", "1P")).isEqualTo(1L << 50);
        assertThat(ByteSize.parse("size", "512B")).isEqualTo(512);
    }

    @Test
    void shouldRefuseWhatIsNotASize()
    {
        for (final String bad : new String[] {"", "G", "1.5G", "-1", "0", "10X", "ten", "10 G B", "iB", "5iB"})
        {
            assertThatThrownBy(() -> ByteSize.parse("size", bad)).as(bad)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size '" + bad + "' is not a size");
        }
        assertThatThrownBy(() -> ByteSize.parse("size", 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ByteSize.parse("size", null)).hasMessageStartingWith("missing size");
    }

    @Test
    void shouldRefuseSizesThatOverflow()
    {
        assertThatThrownBy(() -> ByteSize.parse("size", "8192P")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> ByteSize.parse("size", "99999999999999999999")).hasMessageContaining("is not a size");
        assertThat(ByteSize.parse("size", "8191P")).isEqualTo(8191L << 50);
    }
}
