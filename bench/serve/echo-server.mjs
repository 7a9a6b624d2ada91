// The floor for our HTTP stack: a bare Node HTTP server that reads the request body and answers with the same bytes.
import http from 'node:http';

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': body.byteLength };
    const ihcl = req.headers['inference-header-content-length'];
    if (ihcl !== undefined) headers['Inference-Header-Content-Length'] = ihcl;
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`ECHO ${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
