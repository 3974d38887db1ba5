/*
 * protocol.pml - a Promela model of the directory protocol of node/directory.c
 * and node/coherence_agent.c (docs/protocol.md), checked by spin in ctest.
 *
 * Three caches, two lines, one home (the home logic is per line, so one
 * process serving both lines loses nothing). Any message may overtake any
 * other: every receive picks a (cache, line) pair nondeterministically, and
 * there is at most one message in flight per pair and channel, so this is
 * the full set of delivery orders. The caches perform MAXOPS operations in
 * all (load, store, evict, by any cache on either line) and the home DMAOPS
 * DMA writes (flush the line out of every cache, then write memory);
 * stores write unique values; NACKed requests are retried without limit.
 * Checked: the single-writer and data-value invariants in every reachable
 * state (process "invariants"), that memory is current whenever no cache
 * owns the line, that no handler meets a message its state does not expect
 * (the asserts mirror the C code's DISCO_EPROTO paths), and, by spin's
 * end-state check, that no run can get stuck with a transaction unfinished.
 */

#define N 3      /* caches; the invariant macros below are written for 3 */
#define L 2      /* lines */
#ifndef OPLINES
#define OPLINES 2 /* operations touch lines 0..OPLINES-1 (1: a deeper run on one line) */
#endif
#ifndef DMAOPS
#define DMAOPS 1 /* DMA writes by the home: dir_flush_line, then a write to memory */
#endif
#ifndef MAXOPS
#define MAXOPS 4 /* operations in all, by any caches */
#endif

mtype = { GET, GETX, UPGRADE, PUT,            /* cache -> home, request channel */
          INV, RECALL_S, RECALL_X,            /* home -> cache, request channel */
          DATA_S, DATA_X, GRANT_X, NACK, WB_ACK, /* home -> cache, reply channel */
          INV_ACK, RECALL_ACK, DONE,          /* cache -> home, reply channel */
          FLUSH };                            /* a transaction the home starts (DMA) */

/* flags */
#define DIRTY 1
#define KEEP  2

/* cache line states, stable then transient */
#define I    0
#define S    1
#define E    2
#define M    3
#define IS_D 4
#define IM_D 5
#define SM_A 6
#define MI_A 7
#define II_A 8

/* home line states and transaction phases */
#define U  0
#define SH 1
#define EX 2
#define WAIT_ACKS   1
#define WAIT_RECALL 2
#define WAIT_DONE   3

/* The request and reply channels are separate in both directions. */
chan home_req = [N * L] of { byte, byte, mtype, byte, byte }; /* cache, line, type, data, flags */
chan home_rep = [N * L] of { byte, byte, mtype, byte, byte };
chan cache_req[N] = [L] of { byte, mtype };       /* line, type */
chan cache_rep[N] = [L] of { byte, mtype, byte }; /* line, type, data */

/* ghost state: the value of the last store to each line */
byte ghost[L];
byte stores[L];
byte opsleft = MAXOPS;
byte dmaleft = DMAOPS;

/* caches: state, data, writeback buffer */
byte cst[N * L];
byte cdat[N * L];
byte wbdat[N * L];
bit wbdirty[N * L];

/* home */
byte hst[L];
byte hsh[L];     /* sharers, one bit per cache (exact, like 3 limited pointers) */
byte howner[L];
byte mem[L];
bit busy[L];
mtype tkind[L];
byte treq[L];
byte towner[L];
byte tacks[L];
byte tphase[L];
bit tdataless[L];

#define ST(c, l)     cst[(c) * L + (l)]
#define HOLDS(c, l)  (ST(c, l) == S || ST(c, l) == SM_A || ST(c, l) == E || ST(c, l) == M)
#define OWNS(c, l)   (ST(c, l) == E || ST(c, l) == M)
#define CURRENT(c, l) (!HOLDS(c, l) || cdat[(c) * L + (l)] == ghost[l])
#define SWMR(l) ((!OWNS(0, l) || (!HOLDS(1, l) && !HOLDS(2, l))) && \
                 (!OWNS(1, l) || (!HOLDS(0, l) && !HOLDS(2, l))) && \
                 (!OWNS(2, l) || (!HOLDS(0, l) && !HOLDS(1, l))))
#define VALUES(l) (CURRENT(0, l) && CURRENT(1, l) && CURRENT(2, l))
#define MEMOK(l) (hst[l] == EX || mem[l] == ghost[l])
#define INVARIANT (SWMR(0) && SWMR(1) && VALUES(0) && VALUES(1) && MEMOK(0) && MEMOK(1))

active proctype invariants()
{
end:
    atomic { !(INVARIANT) -> assert(INVARIANT) }
}

/* ---------------- home ---------------- */

/* dir_flush_line() returned 0: memory is the only copy. The DMA engine
 * checks it is current and writes a new value (before the home handles
 * anything else, as the C caller must). */
inline dma_write(l)
{
    assert(mem[l] == ghost[l]);
    stores[l]++;
    ghost[l] = stores[l];
    mem[l] = ghost[l];
    dmaleft--
}

inline finish_flush(l)
{
    hst[l] = U;
    hsh[l] = 0;
    howner[l] = 0;
    busy[l] = 0;
    tphase[l] = 0; tkind[l] = GET; treq[l] = 0; towner[l] = 0; tdataless[l] = 0;
    dma_write(l)
}

inline grant_to_requester(l)
{
    hst[l] = EX;
    howner[l] = treq[l];
    hsh[l] = 0;
    if
    :: tdataless[l] -> cache_rep[treq[l]] ! l, GRANT_X, 0
    :: else -> cache_rep[treq[l]] ! l, DATA_X, mem[l]
    fi;
    tphase[l] = WAIT_DONE
}

inline grant(l)
{
    if
    :: tkind[l] == FLUSH -> finish_flush(l)
    :: else -> grant_to_requester(l)
    fi
}

inline home_request(c, l, t, d, f)
{
    if
    :: busy[l] -> cache_rep[c] ! l, NACK, 0
    :: else ->
        if
        :: t == PUT ->
            if
            :: hst[l] == EX && howner[l] == c ->
                if
                :: f & DIRTY -> mem[l] = d
                :: else -> skip
                fi;
                hst[l] = U;
                hsh[l] = 0;
                howner[l] = 0
            :: else -> skip /* stale: a recall already took the line */
            fi;
            cache_rep[c] ! l, WB_ACK, 0
        :: else ->
            assert(!(hst[l] == EX && howner[l] == c));
            busy[l] = 1;
            tkind[l] = t;
            treq[l] = c;
            tacks[l] = 0;
            tdataless[l] = 0;
            if
            :: hst[l] == EX ->
                towner[l] = howner[l];
                tphase[l] = WAIT_RECALL;
                if
                :: t == GET -> cache_req[howner[l]] ! l, RECALL_S
                :: else -> cache_req[howner[l]] ! l, RECALL_X
                fi
            :: hst[l] == U ->
                hst[l] = EX; /* MESI: an only copy is exclusive, even for a read */
                howner[l] = c;
                cache_rep[c] ! l, DATA_X, mem[l];
                tphase[l] = WAIT_DONE
            :: hst[l] == SH && t == GET ->
                hsh[l] = hsh[l] | (1 << c);
                cache_rep[c] ! l, DATA_S, mem[l];
                tphase[l] = WAIT_DONE
            :: hst[l] == SH && t != GET ->
                tdataless[l] = (t == UPGRADE && (hsh[l] & (1 << c)) != 0);
                i = 0;
                do
                :: i < N ->
                    if
                    :: i != c && (hsh[l] & (1 << i)) ->
                        cache_req[i] ! l, INV;
                        tacks[l]++
                    :: else -> skip
                    fi;
                    i++
                :: else -> break
                od;
                i = 0;
                if
                :: tacks[l] == 0 -> grant(l)
                :: else -> tphase[l] = WAIT_ACKS
                fi
            fi
        fi
    fi
}

inline home_reply(c, l, t, d, f)
{
    assert(busy[l]);
    if
    :: t == INV_ACK ->
        assert(tphase[l] == WAIT_ACKS);
        tacks[l]--;
        if
        :: tacks[l] == 0 -> grant(l)
        :: else -> skip
        fi
    :: t == RECALL_ACK ->
        assert(tphase[l] == WAIT_RECALL && c == towner[l]);
        if
        :: f & DIRTY -> mem[l] = d
        :: else -> skip
        fi;
        if
        :: tkind[l] == GET ->
            hst[l] = SH;
            hsh[l] = (1 << treq[l]);
            if
            :: f & KEEP -> hsh[l] = hsh[l] | (1 << c)
            :: else -> skip
            fi;
            cache_rep[treq[l]] ! l, DATA_S, mem[l]
        :: tkind[l] == FLUSH -> finish_flush(l)
        :: else ->
            hst[l] = EX;
            howner[l] = treq[l];
            hsh[l] = 0;
            cache_rep[treq[l]] ! l, DATA_X, mem[l]
        fi;
        if
        :: busy[l] -> tphase[l] = WAIT_DONE
        :: else -> skip
        fi
    :: t == DONE ->
        assert(tphase[l] == WAIT_DONE && c == treq[l]);
        busy[l] = 0;
        /* forget the transaction, so equal states compare equal */
        tphase[l] = 0; tkind[l] = GET; treq[l] = 0; towner[l] = 0; tdataless[l] = 0
    :: else -> assert(false)
    fi
}

/* dir_flush_line() on a line that is not busy. */
inline home_flush(l)
{
    if
    :: hst[l] == U -> dma_write(l)
    :: hst[l] == EX ->
        busy[l] = 1; tkind[l] = FLUSH; treq[l] = N;
        towner[l] = howner[l];
        tphase[l] = WAIT_RECALL;
        cache_req[howner[l]] ! l, RECALL_X
    :: hst[l] == SH ->
        busy[l] = 1; tkind[l] = FLUSH; treq[l] = N;
        i = 0;
        do
        :: i < N ->
            if
            :: (hsh[l] & (1 << i)) -> cache_req[i] ! l, INV; tacks[l]++
            :: else -> skip
            fi;
            i++
        :: else -> break
        od;
        i = 0;
        if
        :: tacks[l] == 0 -> finish_flush(l)
        :: else -> tphase[l] = WAIT_ACKS
        fi
    fi
}

#define HOME_REQ(c, l) \
    :: atomic { home_req ?? eval(c), eval(l), t, d, f -> home_request(c, l, t, d, f); t = GET; d = 0; f = 0 }
#define HOME_REP(c, l) \
    :: atomic { home_rep ?? eval(c), eval(l), t, d, f -> home_reply(c, l, t, d, f); t = GET; d = 0; f = 0 }

active proctype home()
{
    mtype t = GET;
    byte d, f, i;
end:
    do
    HOME_REQ(0, 0) HOME_REQ(0, 1) HOME_REQ(1, 0) HOME_REQ(1, 1) HOME_REQ(2, 0) HOME_REQ(2, 1)
    HOME_REP(0, 0) HOME_REP(0, 1) HOME_REP(1, 0) HOME_REP(1, 1) HOME_REP(2, 0) HOME_REP(2, 1)
    :: atomic { dmaleft > 0 && !busy[0] -> home_flush(0) }
    :: atomic { dmaleft > 0 && OPLINES > 1 && !busy[1] -> home_flush(1) }
    :: timeout -> assert(!busy[0] && !busy[1]); break
    od
}

/* ---------------- caches ---------------- */

#define K (me * L + l)

inline send_request(l)
{
    if
    :: cst[K] == IS_D -> home_req ! me, l, GET, 0, 0
    :: cst[K] == IM_D -> home_req ! me, l, GETX, 0, 0
    :: cst[K] == SM_A -> home_req ! me, l, UPGRADE, 0, 0
    :: cst[K] == MI_A -> home_req ! me, l, PUT, wbdat[K], wbdirty[K]
    fi
}

inline do_op(l)
{
    if
    :: HOLDS(me, l) -> assert(cdat[K] == ghost[l]) /* load hit: must see the last store */
    :: cst[K] == I -> cst[K] = IS_D; send_request(l) /* load miss */
    :: OWNS(me, l) -> /* store hit */
        stores[l]++;
        ghost[l] = stores[l];
        cdat[K] = ghost[l];
        cst[K] = M
    :: cst[K] == S -> cst[K] = SM_A; send_request(l) /* store to a shared copy */
    :: cst[K] == I -> cst[K] = IM_D; send_request(l) /* store miss */
    :: cst[K] == S -> cst[K] = I; cdat[K] = 0 /* silent eviction: the home keeps a stale bit */
    :: OWNS(me, l) -> /* eviction of an owned line: writeback */
        wbdat[K] = cdat[K];
        wbdirty[K] = (cst[K] == M);
        cdat[K] = 0;
        cst[K] = MI_A;
        send_request(l)
    fi;
    opsleft--
}

inline on_reply(l, t, d)
{
    if
    :: t == DATA_S ->
        assert(cst[K] == IS_D);
        cst[K] = S; cdat[K] = d;
        home_rep ! me, l, DONE, 0, 0
    :: t == DATA_X ->
        assert(cst[K] == IS_D || cst[K] == IM_D || cst[K] == SM_A);
        if
        :: cst[K] == IS_D -> cst[K] = E
        :: else -> cst[K] = M
        fi;
        cdat[K] = d;
        home_rep ! me, l, DONE, 0, 0
    :: t == GRANT_X ->
        assert(cst[K] == SM_A); /* only a valid shared copy may be upgraded without data */
        cst[K] = M;
        home_rep ! me, l, DONE, 0, 0
    :: t == NACK ->
        assert(cst[K] >= IS_D);
        if
        :: cst[K] == II_A -> cst[K] = I; wbdat[K] = 0; wbdirty[K] = 0
        :: else -> send_request(l)
        fi
    :: t == WB_ACK ->
        assert(cst[K] == MI_A || cst[K] == II_A);
        cst[K] = I; wbdat[K] = 0; wbdirty[K] = 0
    :: else -> assert(false)
    fi
}

inline on_forward(l, t)
{
    if
    :: t == INV ->
        assert(cst[K] != E && cst[K] != M && cst[K] != MI_A);
        if
        :: cst[K] == S -> cst[K] = I; cdat[K] = 0
        :: cst[K] == SM_A -> cst[K] = IM_D; cdat[K] = 0 /* the upgrade lost: data will come */
        :: else -> skip /* stale sharer bit */
        fi;
        home_rep ! me, l, INV_ACK, 0, 0
    :: t == RECALL_S || t == RECALL_X ->
        assert(cst[K] == E || cst[K] == M || cst[K] == MI_A);
        if
        :: cst[K] == MI_A -> /* crossing writeback: answer from the buffer */
            home_rep ! me, l, RECALL_ACK, wbdat[K], wbdirty[K];
            cst[K] = II_A
        :: else ->
            if
            :: t == RECALL_S ->
                home_rep ! me, l, RECALL_ACK, cdat[K], (cst[K] == M) | KEEP;
                cst[K] = S
            :: else ->
                home_rep ! me, l, RECALL_ACK, cdat[K], (cst[K] == M);
                cst[K] = I; cdat[K] = 0
            fi
        fi
    :: else -> assert(false)
    fi
}

#define STABLE(l) (cst[me * L + (l)] <= M)

proctype cache(byte me)
{
    byte l, d;
    mtype t = GET;
    do
    :: atomic { opsleft > 0 && STABLE(0) -> l = 0; do_op(l); l = 0 }
    :: atomic { opsleft > 0 && OPLINES > 1 && STABLE(1) -> l = 1; do_op(l); l = 0 }
    :: atomic { cache_rep[me] ?? eval(0), t, d -> l = 0; on_reply(l, t, d); t = GET; d = 0; l = 0 }
    :: atomic { cache_rep[me] ?? eval(1), t, d -> l = 1; on_reply(l, t, d); t = GET; d = 0; l = 0 }
    :: atomic { cache_req[me] ?? eval(0), t -> l = 0; on_forward(l, t); t = GET; l = 0 }
    :: atomic { cache_req[me] ?? eval(1), t -> l = 1; on_forward(l, t); t = GET; l = 0 }
    :: atomic { opsleft == 0 && STABLE(0) && STABLE(1) -> l = 0; break }
    od;
    /* Finished: only forwarded requests can still arrive, and are answered. */
end_idle:
    do
    :: atomic { cache_req[me] ?? eval(0), t -> l = 0; on_forward(l, t); t = GET; l = 0 }
    :: atomic { cache_req[me] ?? eval(1), t -> l = 1; on_forward(l, t); t = GET; l = 0 }
    od
}

init
{
    atomic { run cache(0); run cache(1); run cache(2) }
}
