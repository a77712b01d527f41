// bench:live's national viewers, in a worker thread so that receiving is spread over the cores:
// `count` socket.io clients subscribed to the national room, each recording the time from the
// server's send (progress's second argument) to its own receipt.
import { parentPort, workerData } from 'node:worker_threads';
import { io } from 'socket.io-client';

const { base, cookie, count } = workerData;
const sockets = [];
let latencies = [];
for (let i = 0; i < count; i++) {
	const socket = io(base, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: { cookie }
	});
	socket.on('progress', (_regions, sentAt) => latencies.push(Date.now() - sentAt));
	sockets.push(socket);
}
for (let i = 0; i < sockets.length; i += 250)
	await Promise.all(
		sockets.slice(i, i + 250).map((s) => s.emitWithAck('subscribe', { regions: ['id'] }))
	);
parentPort.postMessage({ ready: true });
parentPort.on('message', (message) => {
	if (message === 'start') latencies = [];
	if (message === 'stop') {
		parentPort.postMessage({ latencies });
		for (const socket of sockets) socket.close();
		parentPort.close();
	}
});
