/** The states of a relayed file transfer (CLARIFICATIONS §6). */
export type TransferState = 'offered' | 'accepted';

/** One live transfer: who sends what to whom, and how much has gone through. */
export interface Transfer<P> {
  readonly id: number;
  readonly source: P;
  readonly target: P;
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
  create(fields: Omit<Transfer<P>, 'id' | 'state' | 'relayed'>): Transfer<P> | undefined {
    if (this.#byId.size >= MAX_ID) return undefined;
    // Round-robin from the last id: amortised O(1) unless the table is nearly full.
    while (this.#byId.has(this.#next)) this.#next = (this.#next % MAX_ID) + 1;
    const transfer: Transfer<P> = { ...fields, id: this.#next, state: 'offered', relayed: 0 };
    this.#byId.set(transfer.id, transfer);
    this.#next = (this.#next % MAX_ID) + 1;
    return transfer;
  }

  /** Forgets `id`. */
  delete(id: number): void {
    this.#byId.delete(id);
  }
}
