package io.parley.edge.ws;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The delivery order of one channel on one socket, with no I/O in it: the session feeds it live events,
 * replayed messages and the end of each catch-up read, and it says what to write, hold, read or give up
 * on. Invariant: the client is given message seqs {@code lastSeq + 1, lastSeq + 2, …}, each once, and
 * never across a gap. Seqs in the database have no holes, so a gap is only ever a message that this
 * socket has not seen yet: it is read from the database, never skipped.
 *
 * @param <F> the frame of an event, as the session writes it
 */
final class ChannelOrder<F> {

    /** A live event held during a catch-up; {@code seq} is its message's (0 for events without one). */
    record Held<F>(String event, long seq, long userId, F frame) {
    }

    /** What the session does with a live event. */
    enum Live {
        /** Write it now. */
        WRITE,
        /** An event of a message already given: nothing to do. */
        DROP,
        /** Held until the catch-up running now ends. */
        HOLD,
        /** Held, and a gap opened: start a catch-up read after {@link #lastSeq()}. */
        READ
    }

    /**
     * What the session does when a catch-up read ended: feed {@code deliver} back through {@link #live}
     * in order; or read again after {@code retryInMillis}; or, with {@code resync}, tell the client to
     * reconnect and resume.
     */
    record AfterRead<F>(List<Held<F>> deliver, long retryInMillis, boolean resync) {
    }

    /** Re-reads of a gap that the database does not show yet, before the socket is told to resync. */
    static final int MAX_EMPTY_READS = 8;

    private long lastSeq;
    private boolean catchingUp;
    private List<Held<F>> pending = new ArrayList<>();
    /** Catch-up reads in a row that found nothing while a later seq was held. */
    private int emptyReads;

    /** Starts at {@code lastSeq}, the last seq the client has; {@code catchingUp}: hold live events from the start. */
    ChannelOrder(long lastSeq, boolean catchingUp) {
        this.lastSeq = lastSeq;
        this.catchingUp = catchingUp;
    }

    long lastSeq() {
        return lastSeq;
    }

    boolean catchingUp() {
        return catchingUp;
    }

    /** A replay that may not give everything (a subscribe over its budget) starts later: the client is told where. */
    void skipTo(long seq) {
        lastSeq = Math.max(lastSeq, seq);
    }

    /** Starts a catch-up (a resync after a lost member); false when one is running already. */
    boolean startCatchUp() {
        if (catchingUp) {
            return false;
        }
        catchingUp = true;
        return true;
    }

    /** A live event of the channel: message events carry their seq; the others are passed on in arrival order. */
    Live live(String event, long seq, long userId, F frame) {
        if (catchingUp) {
            pending.add(new Held<>(event, seq, userId, frame));
            return Live.HOLD;
        }
        if (!"message".equals(event)) {
            return Live.WRITE;
        }
        if (seq <= lastSeq) {
            return Live.DROP;
        }
        if (seq > lastSeq + 1) {
            catchingUp = true;
            pending.add(new Held<>(event, seq, userId, frame));
            return Live.READ;
        }
        lastSeq = seq;
        return Live.WRITE;
    }

    /** A message the catch-up read returned: true when it is new to the client (write it). */
    boolean replayed(long seq) {
        if (seq > lastSeq) {
            lastSeq = seq;
            return true;
        }
        return false;
    }

    /**
     * The catch-up read ended; {@code progressed}: it gave the client at least one message. When it found
     * nothing while the first held message still leaves a gap, the read came before the missing commit was
     * visible: read again later (backoff 25 ms doubling), and after {@link #MAX_EMPTY_READS} give up to a
     * resync. Otherwise the held events are handed back in seq order and the catch-up is over.
     */
    AfterRead<F> readDone(boolean progressed) {
        pending.sort(Comparator.comparingLong(Held::seq));
        long next = pending.stream().filter(h -> "message".equals(h.event()) && h.seq() > lastSeq)
                .mapToLong(Held::seq).findFirst().orElse(0);
        if (!progressed && next > lastSeq + 1) {
            if (++emptyReads > MAX_EMPTY_READS) {
                return new AfterRead<>(List.of(), 0, true);
            }
            return new AfterRead<>(List.of(), 25L << Math.min(emptyReads - 1, 6), false);
        }
        emptyReads = 0;
        List<Held<F>> held = pending;
        pending = new ArrayList<>();
        catchingUp = false;
        return new AfterRead<>(held, 0, false);
    }

    /** The read failed (the caller lost access, or the socket closed): nothing held is worth keeping. */
    void abandon() {
        catchingUp = false;
        pending.clear();
    }
}
