// Docker's multiplexed stream framing, shared by Flotilla's routes and the Docker Engine API.

/** Docker's multiplexed stream header: [stream, 0, 0, 0, uint32 BE length]. Stream 4 = exit code. */
export function frame(stream: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(data.length, 4);
  return Buffer.concat([h, data]);
}
