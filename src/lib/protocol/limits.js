// The live protocol's transport limit, in plain JS so that the socket attachment
// (src/server/socket.js, run by Node without a build) and the typed protocol (live.ts) share it.

/** A socket message larger than this closes the connection before anything parses it. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
