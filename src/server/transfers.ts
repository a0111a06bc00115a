/** The states of a relayed file transfer (CLARIFICATIONS §6). */
export type TransferState = 'offered' | 'accepted';

/**
 * The far end of a transfer between two nodes of a cluster. Its local party is both
 * `source` and `target` of the record; `local` says which it really is.
 */
export interface RemoteEnd {
  /** The other party's node. */
  readonly node: string;
  /** The transfer's id on that node (0 until it is known). */
  id: number;
  /** Which party is on this node. */
  readonly local: 'source' | 'target';
  /**
   * On the source's node: bytes sent on and not yet credited back. On the target's node:
   * bytes written to the target and not yet credited to the source's node.
   */
  unacked: number;
  /** The source's reading is paused until credit comes back (source's node only). */
  paused: boolean;
}

/** One live transfer: who sends what to whom, and how much has gone through. */
export interface Transfer<P> {
  readonly id: number;
  readonly source: P;
  readonly target: P;
  /** Set when the other party is on another node of the cluster. */
  readonly remote: RemoteEnd | null;
  readonly sourceName: string;
  readonly targetName: string;
  readonly size: number;
  readonly fileName: string;
  state: TransferState;
  /** Data bytes relayed so far. */
  relayed: number;
}

const MAX_ID = 0xffff;

/**
 * Live transfers by id. Ids run from 1 to 65535 and are handed out round-robin, so a
 * finished id is not reused at once (a late chunk for it cannot land in a new transfer).
 */
export class TransferTable<P> {
  readonly #byId = new Map<number, Transfer<P>>();
  /** Live transfers whose offerer is on another node. */
  #remoteOffered = 0;
  #next = 1;

  /** Number of live transfers. */
  get size(): number {
    return this.#byId.size;
  }

  /** The transfer with `id`. */
  get(id: number): Transfer<P> | undefined {
    return this.#byId.get(id);
  }

  /**
   * Records a new offered transfer under a fresh id. Returns undefined when all 65535 ids are
   * in use (the caller answers as if the target were offline).
   */
  create(
    fields: Omit<Transfer<P>, 'id' | 'state' | 'relayed' | 'remote'> & { remote?: RemoteEnd },
  ): Transfer<P> | undefined {
    if (this.#byId.size >= MAX_ID) return undefined;
    // Round-robin from the last id: amortised O(1) unless the table is nearly full.
    while (this.#byId.has(this.#next)) this.#next = (this.#next % MAX_ID) + 1;
    const transfer: Transfer<P> = {
      ...fields,
      remote: fields.remote ?? null,
      id: this.#next,
      state: 'offered',
      relayed: 0,
    };
    this.#byId.set(transfer.id, transfer);
    if (transfer.remote?.local === 'target') this.#remoteOffered++;
    this.#next = (this.#next % MAX_ID) + 1;
    return transfer;
  }

  /** Forgets `id`. */
  delete(id: number): void {
    const t = this.#byId.get(id);
    if (t === undefined) return;
    this.#byId.delete(id);
    if (t.remote?.local === 'target') this.#remoteOffered--;
  }

  /** Every live transfer (to end those with a node that is gone). */
  values(): IterableIterator<Transfer<P>> {
    return this.#byId.values();
  }

  /**
   * Live transfers this node counts as its own: all but those whose offerer is on another
   * node, so the counts of a cluster's nodes add up to its transfers.
   */
  get ownCount(): number {
    return this.#byId.size - this.#remoteOffered;
  }
}
