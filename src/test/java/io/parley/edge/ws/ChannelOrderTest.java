package io.parley.edge.ws;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("ChannelOrder: every seq once, in order, through gaps, duplicates, early reads and lost publishes")
class ChannelOrderTest {

    @Test
    @DisplayName("in order: each message is written; a repeat is dropped")
    void inOrder() {
        ChannelOrder<Long> o = new ChannelOrder<>(0, false);
        assertThat(o.live("message", 1, 0, 1L)).isEqualTo(ChannelOrder.Live.WRITE);
        assertThat(o.live("message", 2, 0, 2L)).isEqualTo(ChannelOrder.Live.WRITE);
        assertThat(o.live("message", 2, 0, 2L)).isEqualTo(ChannelOrder.Live.DROP);
        assertThat(o.live("edited", 1, 0, 1L)).isEqualTo(ChannelOrder.Live.WRITE);
        assertThat(o.lastSeq()).isEqualTo(2);
    }

    @Test
    @DisplayName("a gap holds the later message and asks for a read; the read fills it and the held one is a repeat")
    void gapFilled() {
        ChannelOrder<Long> o = new ChannelOrder<>(1, false);
        assertThat(o.live("message", 3, 0, 3L)).isEqualTo(ChannelOrder.Live.READ);
        assertThat(o.live("message", 4, 0, 4L)).isEqualTo(ChannelOrder.Live.HOLD);
        assertThat(o.replayed(2)).isTrue();
        assertThat(o.replayed(3)).isTrue();
        ChannelOrder.AfterRead<Long> after = o.readDone(true);
        assertThat(after.deliver()).extracting(ChannelOrder.Held::seq).containsExactly(3L, 4L);
        assertThat(o.catchingUp()).isFalse();
        assertThat(o.live("message", 3, 0, 3L)).isEqualTo(ChannelOrder.Live.DROP);
        assertThat(o.live("message", 4, 0, 4L)).isEqualTo(ChannelOrder.Live.WRITE);
    }

    @Test
    @DisplayName("a read that came before the missing commit finds nothing: nothing is written over the gap, it reads again with backoff")
    void earlyReadIsRepeated() {
        ChannelOrder<Long> o = new ChannelOrder<>(1, true); // a resync is running
        assertThat(o.live("message", 3, 0, 3L)).isEqualTo(ChannelOrder.Live.HOLD);
        ChannelOrder.AfterRead<Long> first = o.readDone(false);
        assertThat(first.deliver()).isEmpty();
        assertThat(first.retryInMillis()).isEqualTo(25);
        assertThat(o.readDone(false).retryInMillis()).isEqualTo(50);
        assertThat(o.lastSeq()).as("nothing skipped").isEqualTo(1);
        assertThat(o.replayed(2)).isTrue();
        assertThat(o.replayed(3)).isTrue();
        assertThat(o.readDone(true).deliver()).extracting(ChannelOrder.Held::seq).containsExactly(3L);
    }

    @Test
    @DisplayName("a gap that stays unfilled after the retries ends in a resync, never a skip")
    void unfilledGapResyncs() {
        ChannelOrder<Long> o = new ChannelOrder<>(1, false);
        o.live("message", 5, 0, 5L);
        for (int i = 0; i < ChannelOrder.MAX_EMPTY_READS; i++) {
            assertThat(o.readDone(false).resync()).isFalse();
        }
        assertThat(o.readDone(false).resync()).isTrue();
        assertThat(o.lastSeq()).isEqualTo(1);
    }

    @Test
    @DisplayName("a read that found nothing with no gap left (only repeats held) ends the catch-up")
    void nothingMissing() {
        ChannelOrder<Long> o = new ChannelOrder<>(3, true);
        o.live("message", 3, 0, 3L);
        o.live("message", 4, 0, 4L);
        ChannelOrder.AfterRead<Long> after = o.readDone(false);
        assertThat(after.retryInMillis()).isZero();
        assertThat(after.deliver()).extracting(ChannelOrder.Held::seq).containsExactly(3L, 4L);
        assertThat(o.catchingUp()).isFalse();
    }

    // ---- random interleavings -----------------------------------------------------------------------------

    /** One simulated happening, at a time in milliseconds; ties keep their order of scheduling. */
    private record Happening(double at, long order, Runnable action) {
    }

    /**
     * A socket and a database, simulated: N messages are committed in order at random times; each is
     * published to the socket after its commit with a random delay (out of order across messages), is
     * sometimes delivered twice, and sometimes lost (its node died); reads of the database take a
     * snapshot at a random moment while they run and answer pages of 5. Lost publishes are recovered by
     * the resync a lost member triggers, scheduled after the loss. The client must see 1..N once, in order.
     */
    private static final class Simulation {
        final Random random;
        final int n;
        final double[] committedAt;
        final PriorityQueue<Happening> queue = new PriorityQueue<>((a, b) -> a.at != b.at ? Double.compare(a.at, b.at) : Long.compare(a.order, b.order));
        final List<Long> written = new ArrayList<>();
        long order;
        double now;
        ChannelOrder<Long> state;
        int resyncs;

        Simulation(long seed, int n) {
            this.random = new Random(seed);
            this.n = n;
            this.committedAt = new double[n + 1];
            double t = 0;
            for (int i = 1; i <= n; i++) {
                t += random.nextDouble() * 3;
                committedAt[i] = t;
            }
        }

        void at(double when, Runnable action) {
            queue.add(new Happening(when, order++, action));
        }

        List<Long> run() {
            // the client subscribes with since 0 at a random moment: its replay starts at once
            double subscribeAt = random.nextDouble() * committedAt[n];
            at(subscribeAt, () -> {
                state = new ChannelOrder<>(0, true);
                read(state, 0);
            });
            double lastLoss = -1;
            for (int i = 1; i <= n; i++) {
                long seq = i;
                double publishedAt = committedAt[i] + random.nextDouble() * 4;
                if (random.nextDouble() < 0.05) {
                    lastLoss = Math.max(lastLoss, publishedAt);
                    continue;
                }
                at(publishedAt, () -> live(seq));
                if (random.nextDouble() < 0.05) {
                    at(publishedAt + random.nextDouble() * 5, () -> live(seq));
                }
            }
            if (lastLoss >= 0) {
                // the cluster notices the dead member a little later; every socket re-reads its channels
                at(Math.max(lastLoss, committedAt[n]) + 1 + random.nextDouble() * 3, this::membershipResync);
            }
            while (!queue.isEmpty()) {
                Happening h = queue.poll();
                now = h.at;
                h.action.run();
            }
            return written;
        }

        void live(long seq) {
            if (state == null) {
                return; // not subscribed yet: the replay covers it
            }
            ChannelOrder<Long> s = state;
            switch (s.live("message", seq, 0, seq)) {
                case WRITE -> written.add(seq);
                case READ -> read(s, s.lastSeq());
                default -> {
                }
            }
        }

        void membershipResync() {
            if (state != null && state.startCatchUp()) {
                read(state, state.lastSeq());
            }
        }

        /** A read after the state's last seq, with its snapshot taken at a random moment while it runs. */
        void read(ChannelOrder<Long> s, long startedAt) {
            double took = 0.2 + random.nextDouble() * 4;
            double snapshot = now + random.nextDouble() * took;
            long after = s.lastSeq();
            List<Long> page = new ArrayList<>();
            for (long seq = after + 1; seq <= n && page.size() < 5; seq++) {
                if (committedAt[(int) seq] <= snapshot) {
                    page.add(seq);
                } else {
                    break; // seqs commit in order: nothing later is visible either
                }
            }
            at(now + took, () -> {
                if (s != state) {
                    return;
                }
                for (long seq : page) {
                    if (s.replayed(seq)) {
                        written.add(seq);
                    }
                }
                if (page.size() == 5) {
                    read(s, startedAt);
                    return;
                }
                ChannelOrder.AfterRead<Long> next = s.readDone(s.lastSeq() > startedAt);
                if (next.resync()) {
                    // the client reconnects and resumes with since = what it has
                    resyncs++;
                    state = new ChannelOrder<>(written.isEmpty() ? 0 : written.get(written.size() - 1), true);
                    read(state, state.lastSeq());
                } else if (next.retryInMillis() > 0) {
                    at(now + next.retryInMillis() / 10.0, () -> {
                        if (s == state) {
                            read(s, s.lastSeq());
                        }
                    });
                } else {
                    next.deliver().forEach(h -> live(h.seq()));
                }
            });
        }
    }

    @Test
    @DisplayName("5,000 random interleavings of commits, publishes (late, repeated, lost), early reads and resyncs: 1..N once, in order")
    void randomInterleavings() {
        for (long seed = 1; seed <= 5_000; seed++) {
            int n = 1 + (int) (seed % 60);
            List<Long> written = new Simulation(seed, n).run();
            assertThat(written).as("seed %d, %d messages", seed, n).isEqualTo(LongStream.rangeClosed(1, n).boxed().toList());
        }
    }
}
