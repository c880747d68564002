/**
 * A token trie over the candidates' continuation ids, numbered in depth-first preorder so that
 * every node's subtree is one contiguous range of node numbers (what tree attention and
 * prefix sharing both rely on).
 *
 * Node 0 is the root: the position of the context's last token, whose distribution gives the
 * first continuation token. A node's log-probability is read from its parent's distribution.
 * Only nodes with children ("inner" nodes, the root included) have to be run through the
 * model; leaves are scored from their parent and never fed.
 */
export class TokenTrie {
  /** Token of each node (-1 for the root). */
  readonly token: Int32Array;
  readonly parent: Int32Array;
  /** Tokens from the root (root 0). */
  readonly depth: Int32Array;
  /** Last node (preorder number) of each node's subtree. */
  readonly subtreeEnd: Int32Array;
  /** Children of each node, in preorder. */
  readonly children: number[][];
  /** The node where each candidate's continuation ends. */
  readonly terminal: Int32Array;
  /** Inner nodes (nodes with children) in preorder, the root first. */
  readonly inner: Int32Array;
  /** Position of each node in `inner`, or -1 for a leaf. */
  readonly innerIndex: Int32Array;
  /** Last inner-list index inside each inner node's subtree (by inner index). */
  readonly innerSubtreeEnd: Int32Array;

  constructor(sequences: readonly (readonly number[])[]) {
    // Build with maps, then renumber in preorder.
    type Tmp = { token: number; kids: Map<number, Tmp>; order: Tmp[]; id: number };
    const root: Tmp = { token: -1, kids: new Map(), order: [], id: -1 };
    const ends: Tmp[] = [];
    for (const seq of sequences) {
      if (seq.length === 0) throw new Error('TokenTrie: empty sequence');
      let node = root;
      for (const t of seq) {
        let next = node.kids.get(t);
        if (!next) {
          next = { token: t, kids: new Map(), order: [], id: -1 };
          node.kids.set(t, next);
          node.order.push(next);
        }
        node = next;
      }
      ends.push(node);
    }
    const nodes: Tmp[] = [];
    const parents: number[] = [];
    const depths: number[] = [];
    const stack: [Tmp, number, number][] = [[root, -1, 0]];
    while (stack.length) {
      const [n, p, d] = stack.pop()!;
      n.id = nodes.length;
      nodes.push(n);
      parents.push(p);
      depths.push(d);
      for (let i = n.order.length - 1; i >= 0; i--) stack.push([n.order[i], n.id, d + 1]);
    }
    const count = nodes.length;
    this.token = Int32Array.from(nodes, (n) => n.token);
    this.parent = Int32Array.from(parents);
    this.depth = Int32Array.from(depths);
    this.children = nodes.map((n) => n.order.map((c) => c.id));
    this.terminal = Int32Array.from(ends, (n) => n.id);
    this.subtreeEnd = new Int32Array(count);
    for (let i = count - 1; i >= 0; i--) {
      const kids = this.children[i];
      this.subtreeEnd[i] = kids.length ? this.subtreeEnd[kids[kids.length - 1]] : i;
    }
    const inner = [];
    this.innerIndex = new Int32Array(count).fill(-1);
    for (let i = 0; i < count; i++) {
      if (this.children[i].length) {
        this.innerIndex[i] = inner.length;
        inner.push(i);
      }
    }
    this.inner = Int32Array.from(inner);
    // Last inner index at or before each node number, to find each subtree's last inner node.
    const lastInnerUpTo = new Int32Array(count);
    for (let i = 0, k = -1; i < count; i++) {
      if (this.innerIndex[i] >= 0) k = this.innerIndex[i];
      lastInnerUpTo[i] = k;
    }
    this.innerSubtreeEnd = Int32Array.from(inner, (n) => lastInnerUpTo[this.subtreeEnd[n]]);
  }

  get size(): number {
    return this.token.length;
  }

  /** Tokens over all candidates if each were scored alone (what sharing saves against). */
  static totalTokens(sequences: readonly (readonly number[])[]): number {
    return sequences.reduce((s, x) => s + x.length, 0);
  }

  /**
   * Candidate scores from per-node log-probabilities: the sum along each candidate's path,
   * accumulated in preorder (a parent always comes before its children).
   */
  pathSums(nodeLogprob: Float64Array): Float64Array {
    const cum = new Float64Array(this.size);
    for (let i = 1; i < this.size; i++) cum[i] = cum[this.parent[i]] + nodeLogprob[i];
    return Float64Array.from(this.terminal, (n) => cum[n]);
  }

  /** Inner ancestors of node `n` that precede it, root first (excluding `n`). */
  ancestors(n: number): number[] {
    const out: number[] = [];
    for (let p = this.parent[n]; p >= 0; p = this.parent[p]) out.push(p);
    return out.reverse();
  }
}
