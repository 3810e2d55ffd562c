package io.vplane.blockstore.rbd;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RbdImageUriTest
{
    @Test
    void shouldParsePoolAndImageWithDefaults()
    {
        final RbdImageUri uri = RbdImageUri.parse("rbd://volumes/vm1");

        assertThat(uri).isEqualTo(new RbdImageUri("volumes", "", "vm1", null, null, "admin", null, RbdImageUri.DEFAULT_TIMEOUT_MS));
        assertThat(uri.spec()).isEqualTo("volumes/vm1");
    }

    @Test
    void shouldParseNamespaceSnapshotAndEveryOption()
    {
        final RbdImageUri uri = RbdImageUri.parse(
            "rbd://volumes/tenant-a/vm1@before.upgrade?conf=/etc/ceph/prod.conf&id=vplane&keyring=/etc/ceph/vplane.keyring&timeoutMs=5000");

        assertThat(uri).isEqualTo(new RbdImageUri("volumes", "tenant-a", "vm1", "before.upgrade", "/etc/ceph/prod.conf", "vplane",
            "/etc/ceph/vplane.keyring", 5000));
        assertThat(uri.spec()).isEqualTo("volumes/tenant-a/vm1@before.upgrade");
        assertThat(uri.timeoutSeconds()).isEqualTo(5);
    }

    @Test
    void shouldRoundTheTimeoutUpToWholeSecondsForLibrados()
    {
        assertThat(RbdImageUri.parse("rbd://p/i?timeoutMs=1500").timeoutSeconds()).isEqualTo(2);
    }

    @Test
    void shouldRefuseMalformedUrisNamingTheProblem()
    {
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://onlypool")).hasMessageContaining("needs a pool and an image");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://a/b/c/d")).hasMessageContaining("needs a pool and an image");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/")).hasMessageContaining("the image '' is not a name");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i@")).hasMessageContaining("snapshot");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?cache=on")).hasMessageContaining("unknown option 'cache'");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?id=a&id=b")).hasMessageContaining("needs one value");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?timeoutMs=10")).hasMessageContaining("timeoutMs must be 1000 to 600000");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?timeoutMs=9999999")).hasMessageContaining("timeoutMs");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?id=client admin")).hasMessageContaining("the id");
    }

    @Test
    void shouldRefuseRelativeOrEscapingPaths()
    {
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?conf=ceph.conf")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?conf=/etc/ceph/../shadow")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?keyring=/etc/ceph/./k")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> RbdImageUri.parse("rbd://p/i?keyring=/etc/ceph/k;rm")).hasMessageContaining("absolute path");
    }

    @Test
    void shouldKnowItsScheme()
    {
        assertThat(RbdImageUri.isUri("rbd://p/i")).isTrue();
        assertThat(RbdImageUri.isUri("/var/lib/vplane/images/rbd")).isFalse();
        assertThat(RbdImageUri.isUri("nbd://h/e")).isFalse();
    }
}
