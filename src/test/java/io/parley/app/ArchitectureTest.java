package io.parley.app;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The shape of the code, as docs/architecture.md draws it, checked on every build: which package may use
 * which. A change that needs another direction changes this test and the document together.
 */
class ArchitectureTest {

    private static JavaClasses parley;

    @BeforeAll
    static void importClasses() {
        parley = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.parley");
    }

    private static void check(ArchRule rule) {
        rule.check(parley);
    }

    @Test
    @DisplayName("no cycles between Parley's packages")
    void noCyclesBetweenPackages() {
        check(slices().matching("io.parley.(*)..").should().beFreeOfCycles());
        check(slices().matching("io.parley.edge.(*)..").should().beFreeOfCycles());
    }

    @Test
    @DisplayName("the application package wires the node; nothing but the command-line tools and examples depends on it")
    void onlyTheAppWires() {
        check(noClasses().that().resideOutsideOfPackages("io.parley.app..", "io.parley.tools..", "io.parley.examples..")
                .should().dependOnClassesThat().resideInAPackage("io.parley.app.."));
    }

    @Test
    @DisplayName("the edges reach the services only through the typed bus")
    void edgesUseTheBus() {
        check(noClasses().that().resideInAPackage("io.parley.edge..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.chat..", "io.parley.persistence..", "io.parley.presence.."));
    }

    @Test
    @DisplayName("HTTP routes and WebSocket sessions are siblings: the sessions use nothing of the HTTP routes")
    void socketsDoNotUseHttpRoutes() {
        check(noClasses().that().resideInAPackage("io.parley.edge.ws..")
                .should().dependOnClassesThat().resideInAPackage("io.parley.edge.http.."));
    }

    @Test
    @DisplayName("the domain services know no transport: no event bus, no HTTP, no SQL client")
    void servicesKnowNoTransport() {
        check(noClasses().that().resideInAPackage("io.parley.chat..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.core.eventbus..", "io.vertx.core.http..",
                        "io.vertx.ext.web..", "io.vertx.pgclient..", "io.vertx.sqlclient..", "io.parley.edge.."));
        check(noClasses().that().haveSimpleName("AuthService")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.core.eventbus..", "io.vertx.core.http..",
                        "io.vertx.ext.web..", "io.vertx.pgclient..", "io.vertx.sqlclient..", "io.parley.edge.."));
    }

    @Test
    @DisplayName("persistence holds only stores, SQL, migrations and the mapping of Postgres errors")
    void persistenceIsStoresOnly() {
        check(noClasses().that().resideInAPackage("io.parley.persistence..")
                .should().dependOnClassesThat().resideInAnyPackage("io.parley.bus..", "io.parley.edge..", "io.parley.chat..",
                        "io.parley.auth..", "io.parley.cache..", "io.parley.presence..", "io.parley.redis..", "io.vertx.core.eventbus.."));
    }

    @Test
    @DisplayName("only persistence (and the app that owns the pool, and the admin tools) use the Postgres client")
    void onlyPersistenceSpeaksSql() {
        check(noClasses().that().resideOutsideOfPackages("io.parley.persistence..", "io.parley.app..", "io.parley.tools..")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.pgclient..", "io.vertx.sqlclient.."));
    }

    @Test
    @DisplayName("the bus package is the contract: it depends on the domain and nothing above it")
    void busIsTheContract() {
        check(classes().that().resideInAPackage("io.parley.bus..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.parley.bus..", "io.parley.domain..", "io.parley.error..",
                        "io.vertx.core..", "java..", "org.slf4j.."));
    }

    @Test
    @DisplayName("the node's one Redis client depends on the configuration only")
    void redisIsALeaf() {
        check(classes().that().resideInAPackage("io.parley.redis..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.parley.redis..", "io.parley.config..",
                        "io.vertx.core..", "io.vertx.redis..", "java.."));
    }

    @Test
    @DisplayName("the domain records and errors depend on nothing of Parley's above them")
    void domainIsTheBottom() {
        check(classes().that().resideInAnyPackage("io.parley.domain..", "io.parley.error..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.parley.domain..", "io.parley.error..",
                        "io.vertx.core.eventbus..", "java.."));
    }

    @Test
    @DisplayName("no internal Vert.x API where a public one exists")
    void noVertxInternals() {
        // The two screens that must sit in a connection's Netty pipeline (EdgeGuard: the header deadline
        // and connection cap; SocketGateway: the inflation bound and UTF-8 check) reach it through
        // ConnectionBase.channel(): no public API exposes the pipeline. Nothing else may use internals.
        check(noClasses().that().doNotHaveFullyQualifiedName("io.parley.edge.http.EdgeGuard")
                .and().doNotHaveFullyQualifiedName("io.parley.edge.ws.SocketGateway")
                .should().dependOnClassesThat().resideInAnyPackage("io.vertx.core.internal..", "io.vertx.core.impl..",
                        "io.vertx.core.net.impl..", "io.vertx.core.http.impl.."));
        check(noClasses().that().haveFullyQualifiedName("io.parley.edge.http.EdgeGuard")
                .or().haveFullyQualifiedName("io.parley.edge.ws.SocketGateway")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("Vert.x internals other than ConnectionBase",
                        c -> (c.getPackageName().startsWith("io.vertx.core.internal") || c.getPackageName().contains(".impl"))
                                && c.getPackageName().startsWith("io.vertx")
                                && !c.getFullName().equals("io.vertx.core.net.impl.ConnectionBase"))));
    }
}
