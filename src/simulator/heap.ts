/** A binary min-heap of (time, phone index) pairs in typed arrays: 820,000 phones fit in 10 MB. */
export class MinHeap {
	private keys: Float64Array;
	private values: Int32Array;
	size = 0;

	constructor(capacity: number) {
		this.keys = new Float64Array(Math.max(1, capacity));
		this.values = new Int32Array(Math.max(1, capacity));
	}

	push(key: number, value: number): void {
		if (this.size === this.keys.length) this.grow();
		let i = this.size++;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (this.keys[parent] <= key) break;
			this.keys[i] = this.keys[parent];
			this.values[i] = this.values[parent];
			i = parent;
		}
		this.keys[i] = key;
		this.values[i] = value;
	}

	peekKey(): number {
		if (this.size === 0) throw new Error('the heap is empty');
		return this.keys[0];
	}

	pop(): number {
		if (this.size === 0) throw new Error('the heap is empty');
		const top = this.values[0];
		const key = this.keys[--this.size];
		const value = this.values[this.size];
		let i = 0;
		for (;;) {
			let child = 2 * i + 1;
			if (child >= this.size) break;
			if (child + 1 < this.size && this.keys[child + 1] < this.keys[child]) child += 1;
			if (this.keys[child] >= key) break;
			this.keys[i] = this.keys[child];
			this.values[i] = this.values[child];
			i = child;
		}
		this.keys[i] = key;
		this.values[i] = value;
		return top;
	}

	private grow() {
		const keys = new Float64Array(this.keys.length * 2);
		const values = new Int32Array(this.values.length * 2);
		keys.set(this.keys);
		values.set(this.values);
		this.keys = keys;
		this.values = values;
	}
}
