import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	test: {
		expect: { requireAssertions: true },
		include: ['src/**/*.spec.ts', 'tests/integration/**/*.test.ts'],
		// PGlite takes seconds to open a fresh database on 2 cores.
		testTimeout: 60_000,
		hookTimeout: 180_000,
		fileParallelism: false
	}
});
