// The part of autocannon 9's programmatic API that scripts/bench.ts uses (the package ships no types).
declare module 'autocannon' {
	function autocannon(options: autocannon.Options): autocannon.Instance;

	namespace autocannon {
		interface Histogram {
			average: number;
			mean: number;
			stddev: number;
			min: number;
			max: number;
			total: number;
			p50: number;
			p90: number;
			p97_5: number;
			p99: number;
		}

		interface Result {
			title?: string;
			url: string;
			connections: number;
			duration: number;
			start: Date;
			finish: Date;
			errors: number;
			timeouts: number;
			mismatches: number;
			non2xx: number;
			resets: number;
			statusCodeStats: Record<string, { count: number }>;
			latency: Histogram & { totalCount: number };
			requests: Histogram & { sent: number };
			throughput: Histogram;
		}

		interface Options {
			url: string;
			connections?: number;
			/** seconds */
			duration?: number;
			/** seconds */
			timeout?: number;
			method?: string;
			headers?: Record<string, string>;
			title?: string;
			bailout?: number;
		}

		/** an EventEmitter that is also a promise of the result when no callback is given */
		interface Instance extends PromiseLike<Result> {
			stop(): void;
		}
	}

	export default autocannon;
}
