// The machine's ceiling for this request: node:http that reads and parses the same JSON body and
// answers 200 with a body of the same shape. No auth, no database.
import http from 'node:http';

const port = Number(process.env.PORT ?? 3299);
http
	.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', () => {
			const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			const answer = JSON.stringify({
				accepted: body.heartbeats.length,
				duplicates: 0,
				rejected: []
			});
			res.writeHead(200, {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(answer)
			});
			res.end(answer);
		});
	})
	.listen(port, '127.0.0.1', () => console.log(`bare server on ${port}`));
