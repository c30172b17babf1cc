package io.parley.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import io.parley.config.ParleyConfig;
import org.slf4j.LoggerFactory;

import java.util.Iterator;

/**
 * Applies {@code log.format}: with "json" every console line becomes one JSON object (Logback's own JSON
 * encoder: timestamp, level, threadName, loggerName, mdc with the request id where there is one,
 * formattedMessage, and the exception), for log shippers that parse lines. "text" keeps the pattern of logback.xml.
 */
public final class Logs {

    private Logs() {
    }

    public static void apply(ParleyConfig.Log log) {
        if (!"json".equals(log.format()) || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof OutputStreamAppender<ILoggingEvent> out) {
                JsonEncoder json = new JsonEncoder();
                json.setContext(context);
                // the message as a person reads it; not its template and arguments, nor Logback's own bookkeeping
                json.setWithFormattedMessage(true);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithContext(false);
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.start();
                out.stop();
                out.setEncoder(json);
                out.start();
            }
        }
    }
}
