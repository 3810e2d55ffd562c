package io.vplane.dist;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.freeze.FreezingArchRule.freeze;

/**
 * The module graph of docs/architecture.md, checked on the main classes of every module (dist's
 * tests see them all): config &lt;- engine &lt;- virtio &lt;- {nic, vsock}, engine &lt;- blockstore;
 * nic, blockstore and vsock never import each other; engine and config import no device module and
 * declare no device's types. Rules go by package, so a class in the wrong module is caught too.
 * <p>
 * A rule whose known violations are waiting for a change under way is frozen: its violations are
 * recorded in {@code src/test/archunit_store} (see archunit.properties), a new one fails the build,
 * and a run that finds fewer rewrites the store, which is then committed. A rule whose store is
 * empty loses its {@code freeze}.
 */
@AnalyzeClasses(packages = "io.vplane", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleGraphTest
{
    private static final String CONFIG = "io.vplane.config..";
    private static final String ENGINE = "io.vplane.engine..";
    private static final String VIRTIO = "io.vplane.virtio..";
    private static final String NIC = "io.vplane.nic..";
    private static final String BLOCKSTORE = "io.vplane.blockstore..";
    private static final String VSOCK = "io.vplane.vsock..";

    @ArchTest
    static final ArchRule configShouldImportNoOtherModule = classes().that().resideInAPackage(CONFIG)
        .should().onlyDependOnClassesThat(resideInAPackage(CONFIG).or(resideOutsideOfPackage("io.vplane..")))
        .because("config is the bottom of the graph: loading, schema machinery and reload diffing only");

    @ArchTest
    static final ArchRule engineShouldImportNoDevice = noClasses().that().resideInAPackage(ENGINE)
        .should().dependOnClassesThat().resideInAnyPackage(VIRTIO, NIC, BLOCKSTORE, VSOCK)
        .because("device kinds plug into the engine through the device SPI, found with ServiceLoader");

    @ArchTest
    static final ArchRule virtioShouldImportNoDevice = noClasses().that().resideInAPackage(VIRTIO)
        .should().dependOnClassesThat().resideInAnyPackage(NIC, BLOCKSTORE, VSOCK)
        .because("virtio is device-neutral: net, vsock and later blk devices build on it")
        .allowEmptyShould(true);

    @ArchTest
    static final ArchRule nicShouldImportNoOtherDevice = noClasses().that().resideInAPackage(NIC)
        .should().dependOnClassesThat().resideInAnyPackage(BLOCKSTORE, VSOCK)
        .because("a device kind lives wholly in its module");

    @ArchTest
    static final ArchRule blockstoreShouldImportNoOtherDevice = noClasses().that().resideInAPackage(BLOCKSTORE)
        .should().dependOnClassesThat().resideInAnyPackage(NIC, VSOCK)
        .because("a device kind lives wholly in its module");

    @ArchTest
    static final ArchRule vsockShouldImportNoOtherDevice = noClasses().that().resideInAPackage(VSOCK)
        .should().dependOnClassesThat().resideInAnyPackage(NIC, BLOCKSTORE)
        .because("a device kind lives wholly in its module")
        .allowEmptyShould(true);

    /**
     * Frozen: config still holds the NBD, vhost-user and vSwitch sections (NbdBinder, VswitchConfig,
     * ...) and engine their ctl commands (DiskCommand, PortCommand) until the device SPI carries a
     * device kind's config section and CLI subcommands (issue 14).
     */
    @ArchTest
    static final ArchRule engineAndConfigShouldDeclareNoDeviceType = freeze(noClasses()
        .that().resideInAnyPackage(CONFIG, ENGINE)
        .should().haveNameMatching(".*\\.(Nbd|VhostUser|Vswitch|Vsock|Disk|Port)[^.]*")
        .because("a device kind brings its config section, CLI, API routes and counters through the SPI"));
}
