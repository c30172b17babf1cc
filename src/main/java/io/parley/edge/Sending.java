package io.parley.edge;

import io.parley.bus.ChatApi;
import io.parley.bus.Commands;
import io.parley.domain.Message;
import io.parley.domain.Principal;
import io.parley.domain.SendResult;
import io.parley.error.ParleyException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * A send as every edge takes it (HTTP {@code POST …/messages}, the WebSocket {@code send} frame): the input
 * checked, the sender's rate checked, then one call to the chat rules. The edges differ only in what
 * they answer. Edits and deletes reach every subscriber as sends do, so they take from the same budget.
 */
public final class Sending {

    private final ChatApi chat;
    private final SendLimiter limiter;
    private final int maxBodyChars;

    public Sending(ChatApi chat, SendLimiter limiter, int maxBodyChars) {
        this.chat = chat;
        this.limiter = limiter;
        this.maxBodyChars = maxBodyChars;
    }

    /**
     * Posts {@code in} ({@code body}, {@code clientMsgId}) to {@code channelId}. Without a clientMsgId one is
     * made up when {@code clientMsgIdRequired} is false (HTTP); the WebSocket protocol requires one, since
     * it is how a client matches a retry after a reconnect.
     */
    public Future<SendResult> send(Principal p, long channelId, JsonObject in, boolean clientMsgIdRequired) {
        String body = Input.body(Input.string(in, "body"), maxBodyChars);
        String clientMsgId = !clientMsgIdRequired && in.getValue("clientMsgId") == null ? UUID.randomUUID().toString()
                : Input.clientMsgId(Input.string(in, "clientMsgId"));
        budget(p);
        return chat.send(p, new Commands.Post(channelId, clientMsgId, body));
    }

    /** An edit: it reaches every subscriber as a send does, so it takes from the same budget. */
    public Future<Message> edit(Principal p, long channelId, long seq, JsonObject in) {
        String body = Input.body(Input.string(in, "body"), maxBodyChars);
        budget(p);
        return chat.edit(p, channelId, seq, body);
    }

    /** A delete: one frame to every subscriber, from the same budget as sends and edits. */
    public Future<Message> delete(Principal p, long channelId, long seq) {
        budget(p);
        return chat.delete(p, channelId, seq);
    }

    private void budget(Principal p) {
        int wait = limiter.check(p.userId());
        if (wait > 0) {
            throw ParleyException.rateLimited("You are sending messages too fast; slow down.", wait);
        }
    }
}
