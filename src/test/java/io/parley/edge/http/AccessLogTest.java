package io.parley.edge.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import io.parley.config.ParleyConfig;
import io.parley.support.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Logs for operators: the access log and JSON lines")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessLogTest {

    private TestNode node;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @BeforeAll
    void start() {
        Logger access = (Logger) LoggerFactory.getLogger("parley.access");
        lines.start();
        access.addAppender(lines);
        node = TestNode.start(AccessLogTest.class, json -> json.getJsonObject("log").put("accessLog", true));
    }

    @AfterAll
    void stop() {
        ((Logger) LoggerFactory.getLogger("parley.access")).detachAppender(lines);
        node.close();
    }

    @Test
    @DisplayName("one line per request, with method, path without its query string, status and the request id")
    void accessLog() {
        node.api.get("/me?token=secret-looking-value", null);
        ILoggingEvent line = lines.list.stream().filter(e -> e.getFormattedMessage().contains("/api/v1/me")).findFirst().orElseThrow();
        assertThat(line.getFormattedMessage()).startsWith("GET /api/v1/me 401 ").doesNotContain("secret-looking-value");
        assertThat(line.getMDCPropertyMap()).containsKey("requestId");
        assertThat(line.getFormattedMessage()).endsWith("requestId=" + line.getMDCPropertyMap().get("requestId"));
    }

    @Test
    @DisplayName("log.format = json makes each console line one JSON object with the formatted message and the request id")
    void jsonLines() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        OutputStreamAppender<ILoggingEvent> console = null;
        for (var it = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> a = it.next();
            if (a instanceof OutputStreamAppender<ILoggingEvent> o) {
                console = o;
            }
        }
        assertThat(console).isNotNull();
        Encoder<ILoggingEvent> before = console.getEncoder();
        try {
            io.parley.app.Logs.apply(new ParleyConfig.Log("json", false));
            MDC.put("requestId", "r-42");
            ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent("x",
                    context.getLogger("parley.test"), ch.qos.logback.classic.Level.INFO, "sent {} to {}", null, new Object[] {"hi", "bob"});
            event.prepareForDeferredProcessing(); // takes the MDC of this thread, as a real log call does
            MDC.remove("requestId");
            JsonObject json = new JsonObject(new String(console.getEncoder().encode(event), StandardCharsets.UTF_8));
            assertThat(json.getString("formattedMessage")).isEqualTo("sent hi to bob");
            assertThat(json.getJsonObject("mdc").getString("requestId")).isEqualTo("r-42");
            assertThat(json.getString("level")).isEqualTo("INFO");
        } finally {
            console.stop();
            console.setEncoder(before);
            console.start();
        }
    }
}
