import tailwindcss from '@tailwindcss/vite';
import { sveltekit } from '@sveltejs/kit/vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { attachSocketServer } from './src/server/socket.js';

/** socket.io on Vite's own HTTP server, so `npm run dev` has live push on the same port. */
const liveInDevelopment: Plugin = {
	name: 'pantau-live',
	configureServer(server) {
		if (server.httpServer) attachSocketServer(server.httpServer as import('node:http').Server);
	}
};

export default defineConfig({
	plugins: [tailwindcss(), sveltekit(), liveInDevelopment],
	test: {
		expect: { requireAssertions: true },
		include: ['src/**/*.spec.ts', 'tests/integration/**/*.test.ts'],
		globalSetup: ['tests/fixtures/global-setup.ts'],
		testTimeout: 60_000,
		hookTimeout: 180_000,
		fileParallelism: true,
		maxWorkers: 2
	}
});
