package io.vplane.dist;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The module graph of docs/architecture.md, checked on the main classes of every module (dist's
 * tests see them all): config &lt;- engine &lt;- virtio &lt;- {nic, vsock}, engine &lt;- blockstore;
 * nic, blockstore and vsock never import each other; engine and config import no device module and
 * declare no device's types. Rules go by package, so a class in the wrong module is caught too.
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

    @ArchTest
    static final ArchRule vsockAgentShouldNeedTheJdkOnly = classes().that().resideInAPackage("io.vplane.vsock.control..")
        .should().onlyDependOnClassesThat(resideInAPackage("io.vplane.vsock.control..").or(resideInAPackage("java..")).or(
            resideInAPackage("javax..")))
        .because("the guest agent runs in a VM from the vsock jar alone (bin/vplane-agent)");

    @ArchTest
    static final ArchRule chronicleShouldStayInTheHostsJournal = noClasses().that().resideOutsideOfPackage("io.vplane.vsock.journal..")
        .should().dependOnClassesThat().resideInAPackage("net.openhft..")
        .because("Chronicle Queue is the host's command journal only (docs/vsock.md); the agent and the data path never load it");

    @ArchTest
    static final ArchRule engineAndConfigShouldDeclareNoDeviceType = noClasses()
        .that().resideInAnyPackage(CONFIG, ENGINE)
        .should().haveNameMatching(".*\\.(Nbd|VhostUser|Vswitch|Vsock|Disk|Port)[^.]*")
        .because("a device kind brings its config section, CLI, API routes and counters through the SPI");
}
