package io.parley.app;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import io.parley.config.ConfigException;
import io.parley.config.ConfigLoader;
import io.parley.config.ParleyConfig;
import io.parley.edge.http.HttpVerticle;
import io.parley.edge.http.ManagementVerticle;
import io.parley.persistence.EmbeddedDatabase;
import io.parley.bus.Addresses;
import io.parley.presence.PresenceVerticle;
import io.parley.edge.ws.SocketVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.LifecycleEvent;
import io.parley.auth.RevocationVerticle;
import io.parley.bus.Local;
import io.parley.metrics.ClusterMembers;
import io.parley.metrics.Metrics;
import io.vertx.core.Promise;
import java.net.ConnectException;
import java.util.List;

/** Boots a node: config, the database default, a (clustered) Vert.x, then the verticles in dependency order. */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.setProperty("hazelcast.logging.type", "slf4j");
        ParleyConfig config;
        // set once the node is up: a stop before that (SIGTERM during boot) has no node to drain
        AtomicReference<Node> running = new AtomicReference<>();
        AtomicReference<EmbeddedDatabase> database = new AtomicReference<>();
        // One hook for the whole process, registered before anything is started: hooks of one JVM run
        // concurrently, so a separate hook for the database would stop it under the node's in-flight writes.
        Runtime.getRuntime().addShutdownHook(new Thread(stopInOrder(running::get, () -> {
            EmbeddedDatabase db = database.get();
            if (db != null) {
                LOG.info("Stopping the embedded PostgreSQL");
                db.stop();
            }
        }), "parley-shutdown"));
        try {
            config = ConfigLoader.load(System.getenv());
            Logs.apply(config.log());
            if (config.db().url().isEmpty()) {
                database.set(EmbeddedDatabase.start(config.db().embeddedDataDir(), config.db().embeddedPort()));
                config.json().getJsonObject("db").put("url", database.get().url());
                config = ParleyConfig.from(config.json());
                LOG.info("No PARLEY_DB_URL set: using the embedded PostgreSQL");
            }
        } catch (ConfigException | IllegalStateException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("parley: cannot start the embedded PostgreSQL: " + e);
            System.exit(2);
            return;
        }
        ParleyConfig cfg = config;
        boot(cfg).onSuccess(node -> {
            running.set(node);
            LOG.info("Parley node ready on http://{}:{} ({}, cache: {}, transport: {}, metrics: {})", cfg.http().host(), cfg.http().port(),
                    node.vertx().isClustered() ? "clustered" : "single node", cfg.redis().url().isEmpty() ? "in-process, single node" : "redis",
                    node.vertx().isNativeTransportEnabled() ? "epoll" : "nio",
                    cfg.management().enabled() ? "http://" + cfg.management().host() + ":" + cfg.management().port() + "/metrics" : "off");
        }).onFailure(t -> {
            if (t instanceof ConnectException || t.getCause() instanceof ConnectException) {
                // the usual cause, and its stack trace says nothing more
                LOG.error("Parley failed to start: {}. Is PostgreSQL running at the db.url given (PARLEY_DB_URL)? "
                        + "scripts/services starts a local one.", t.getMessage());
            } else {
                LOG.error("Parley failed to start: {}", t.getMessage(), t);
            }
            System.exit(1);
        });
    }

    /**
     * What the shutdown hook runs: drain and stop the node (if it got as far as running), then
     * {@code stopDatabase} (the embedded database, when this process started one). Never the other way
     * round, and never both at once.
     */
    static Runnable stopInOrder(Supplier<Node> node, Runnable stopDatabase) {
        return () -> {
            Node n = node.get();
            if (n != null) {
                shutdown(n);
            }
            stopDatabase.run();
        };
    }

    /** Creates the Vert.x instance (clustered when configured) and deploys the node on it. */
    public static Future<Node> boot(ParleyConfig config) {
        // epoll on Linux when asked for (http.nativeTransport); measured within noise of NIO for fan-out, so off by default
        VertxOptions options = new VertxOptions().setPreferNativeTransport(config.http().nativeTransport());
        Metrics.Setup metrics = Metrics.enable(options);
        options.getEventBusOptions().setHost(config.cluster().host()).setPort(config.cluster().busPort());
        HazelcastClusterManager manager = config.cluster().enabled() ? new HazelcastClusterManager(hazelcast(config)) : null;
        Future<Vertx> vertx = manager != null
                ? Vertx.builder().with(options).withMetrics(metrics.factory())
                .withClusterManager(manager).buildClustered().andThen(ar -> {
                    if (ar.succeeded()) {
                        ClusterMembers.remember(ar.result(), manager);
                        watchMembership(ar.result(), manager);
                    }
                })
                : Future.succeededFuture(Vertx.builder().with(options).withMetrics(metrics.factory()).build());
        // A promise tied to no event loop: when a deployment fails, the node is stopped (Vert.x closed) before
        // the failure is reported, and a future bound to a stopped loop would never deliver it.
        Promise<Node> booted = Promise.promise();
        vertx.onFailure(booted::fail).onSuccess(v -> {
            Metrics.remember(v, metrics.name());
            Metrics.bindNode(v, config.db().poolSize() * Math.max(1, config.persistence().instances()));
            Node node = new Node(v);
            deploy(node, config).onComplete(ar -> {
                if (ar.succeeded()) {
                    booted.complete(node.ready());
                } else {
                    node.stop().onComplete(x -> booted.fail(ar.cause()));
                }
            });
        });
        return booted.future();
    }

    /**
     * Tells this node's verticles when the cluster loses a member or merges after a split: the sockets
     * then re-read their channels, because a member that died may have committed messages it never
     * published. Vert.x keeps the cluster manager's own node listener; these are Hazelcast's.
     */
    private static void watchMembership(Vertx vertx, HazelcastClusterManager manager) {
        DeliveryOptions local = new DeliveryOptions().setLocalOnly(true);
        io.micrometer.core.instrument.Gauge.builder("parley.cluster.members", manager.getHazelcastInstance().getCluster(),
                        c -> c.getMembers().size())
                .description("Members of the cluster as this node sees them").register(io.parley.metrics.Metrics.registry(vertx));
        manager.getHazelcastInstance().getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                LOG.warn("Cluster member {} left; re-reading subscribed channels", event.getMember().getAddress());
                vertx.eventBus().publish(Addresses.CLUSTER_CHANGED, "removed", local);
            }
        });
        manager.getHazelcastInstance().getLifecycleService().addLifecycleListener(event -> {
            if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
                LOG.warn("Cluster merged after a split; re-reading subscribed channels");
                vertx.eventBus().publish(Addresses.CLUSTER_CHANGED, "merged", local);
            }
        });
    }

    /**
     * Dependency order, each deployment awaited (a verticle's start completes only once its consumers are
     * registered): persistence (schema, secret, pool, request addresses), then the revocation verticle
     * (the node's view of ended sessions, read before any token is admitted), presence and the socket hub,
     * and the public HTTP edges only then. An edge that served first could take a WebSocket whose
     * connect notice reached no presence consumer yet, and that user would never show online. The
     * management listener comes last: it serves only the metrics.
     */
    static Future<Void> deploy(Node node, ParleyConfig config) {
        Vertx vertx = node.vertx();
        JsonObject json = config.json();
        DeploymentOptions options = new DeploymentOptions().setConfig(json);
        Local.registerCodec(vertx);
        NodeResources shared = NodeResources.create(vertx, config);
        node.closeAfterStop(shared::close);
        return step(node, ServicesVerticle.class, vertx.deployVerticle(() -> new ServicesVerticle(shared),
                        new DeploymentOptions(options).setInstances(config.persistence().instances())))
                .compose(v -> step(node, RevocationVerticle.class,
                        vertx.deployVerticle(new RevocationVerticle(shared.cache()), options)))
                .compose(v -> step(node, PresenceVerticle.class, vertx.deployVerticle(new PresenceVerticle(shared.redis()), options)))
                .compose(v -> step(node, SocketVerticle.class, vertx.deployVerticle(new SocketVerticle(), options)))
                .compose(v -> step(node, HttpVerticle.class, vertx.deployVerticle(() -> new HttpVerticle(ServicesVerticle.tokenSecret(vertx), () -> Node.state(vertx), shared.cache()),
                        new DeploymentOptions(options).setInstances(config.http().instances()))))
                // one management listener per node, not per edge instance: it binds its own port
                .compose(v -> config.management().enabled()
                        ? step(node, ManagementVerticle.class, vertx.deployVerticle(new ManagementVerticle(shared.redis()), options))
                        : Future.succeededFuture());
    }

    /** Records a finished deployment, so that {@link Node#stop} undoes it (in reverse) even if a later one fails. */
    private static Future<Void> step(Node node, Class<?> verticle, Future<String> deployment) {
        return deployment.map(id -> {
            node.deployed(verticle.getSimpleName(), id);
            return null;
        });
    }

    public static Config hazelcast(ParleyConfig config) {
        String file = config.cluster().config();
        Config hz;
        try {
            hz = Files.isRegularFile(Path.of(file)) ? new FileSystemXmlConfig(file) : new ClasspathXmlConfig("cluster.xml");
        } catch (Exception e) {
            throw new ConfigException("cannot read the cluster config " + file + ": " + e.getMessage());
        }
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        hz.getNetworkConfig().setPort(config.cluster().port());
        if (!config.cluster().members().isBlank()) {
            hz.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(
                    Arrays.stream(config.cluster().members().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
        }
        String host = config.cluster().host();
        if (!host.isBlank() && !"0.0.0.0".equals(host)) {
            hz.getNetworkConfig().getInterfaces().setEnabled(true).setInterfaces(List.of(host));
            hz.setProperty("hazelcast.local.localAddress", host);
        }
        return hz;
    }

    /**
     * SIGTERM: stop accepting, drain in-flight sends, close sockets with 1012 (clients reconnect to another
     * node), stop timers, leave the cluster, exit. Bounded: the JVM exits after 25 s whatever happens.
     */
    private static void shutdown(Node node) {
        LOG.info("Shutting down: draining sockets and requests, then leaving the cluster");
        long start = System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        node.stop().onComplete(ar -> done.countDown());
        try {
            if (done.await(25, TimeUnit.SECONDS)) {
                LOG.info("Stopped in {} ms", (System.nanoTime() - start) / 1_000_000);
            } else {
                LOG.warn("Shutdown did not finish within 25 s; exiting anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
