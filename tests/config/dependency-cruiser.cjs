/**
 * Rules on what may import what (`npm run lint` runs them with dependency-cruiser): no import
 * circles anywhere (type-only imports count: a type that must travel both ways belongs to one
 * side), routes that do not reach for the database, and domain code free of I/O.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'no-circular',
			severity: 'error',
			comment: 'An import circle: move what both sides need to the one that owns it.',
			from: {},
			to: { circular: true }
		},
		{
			name: 'routes-call-features',
			severity: 'error',
			comment:
				"A route parses its input, calls one function of its feature and shapes the answer: the database is the feature's business (src/lib/server/<feature>).",
			from: { path: '^src/routes/' },
			to: { path: ['^node_modules/drizzle-orm/', '^src/lib/server/platform/db/'] }
		},
		{
			name: 'domain-is-pure',
			severity: 'error',
			comment:
				'src/lib/domain is plain TypeScript without I/O: no server code, database or sockets.',
			from: { path: '^src/lib/domain/' },
			to: {
				path: [
					'^src/lib/server/',
					'^node_modules/(drizzle-orm|postgres|socket\\.io|@sveltejs)/',
					'^\\$(app|env)/'
				]
			}
		}
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: ['^src/lib/server/geography/data/', '\\.svelte-kit/'] },
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.json' },
		enhancedResolveOptions: {
			exportsFields: ['exports'],
			conditionNames: ['import', 'require', 'node', 'default', 'types'],
			extensions: ['.ts', '.js', '.svelte', '.json']
		}
	}
};
