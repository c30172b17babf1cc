package io.parley.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.parley.support.TestNode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A node started again on a database it already migrated says nothing an operator would have to act on. */
class QuietRestartTest {

    @Test
    @DisplayName("restarting on a migrated schema logs no WARN or ERROR")
    void restartIsQuiet() {
        String schema = "quiet_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        TestNode first = TestNode.start(QuietRestartTest.class, json -> json.getJsonObject("db").put("schema", schema));
        first.node.stop().await();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        root.addAppender(lines);
        try {
            TestNode again = TestNode.start(QuietRestartTest.class, json -> json.getJsonObject("db").put("schema", schema));
            again.node.stop().await();
        } finally {
            root.detachAppender(lines);
            TestNode.dropSchema(schema);
        }
        assertThat(lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(e -> e.getLoggerName() + ": " + e.getFormattedMessage()).toList())
                .as("WARN and ERROR lines of the second start").isEmpty();
    }
}
