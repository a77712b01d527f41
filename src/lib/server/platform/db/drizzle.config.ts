import { defineConfig } from 'drizzle-kit';

// Generating migrations needs no database: `npm run db:generate` diffs the schema against drizzle/.
export default defineConfig({
	schema: './src/lib/server/platform/db/schema/index.ts',
	out: './drizzle',
	dialect: 'postgresql',
	strict: true,
	verbose: true
});
