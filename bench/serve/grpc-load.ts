/**
 * A lean gRPC load generator for `npm run bench:serve`: one HTTP/2 session
 * (as one grpc-js channel), the request message encoded and framed once,
 * each call a stream that sends it and reads the answer with gRPC's framing.
 * The HTTP points are driven by a lean client over pre-encoded bodies; with
 * grpc-js's client instead, the load process spent several times the
 * server's CPU per call and, on a small machine, left the server waiting for
 * work: the gRPC points then measured the client. Every answer is checked:
 * status OK (grpc-status in the trailers, or a trailers-only answer) and one
 * whole message, decoded as a ModelInferResponse.
 */
import http2 from 'node:http2';
import { type MessageInitShape, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type ModelInferResponse, ModelInferRequestSchema, ModelInferResponseSchema } from '../../electron/server/triton/grpc/gen/grpc_service_pb';

const MODEL_INFER = '/inference.GRPCInferenceService/ModelInfer';

export class GrpcLoad {
  private readonly session: http2.ClientHttp2Session;

  constructor(address: string) {
    this.session = http2.connect(`http://${address}`);
    this.session.on('error', () => undefined);
  }

  /** A ModelInfer call's request, encoded and framed once for every call that sends it. */
  static frame(request: MessageInitShape<typeof ModelInferRequestSchema>): Buffer {
    const body = toBinary(ModelInferRequestSchema, create(ModelInferRequestSchema, request));
    const framed = Buffer.alloc(5 + body.byteLength);
    framed.writeUInt32BE(body.byteLength, 1);
    framed.set(body, 5);
    return framed;
  }

  /** One ModelInfer call with a framed request; resolves with the decoded answer, rejects with a non-OK status. */
  modelInfer(framed: Buffer): Promise<ModelInferResponse> {
    return new Promise((resolve, reject) => {
      const s = this.session.request({ ':method': 'POST', ':path': MODEL_INFER, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const take = (h: http2.IncomingHttpHeaders): void => {
        if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
        if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
      };
      s.on('response', take);
      s.on('trailers', take);
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('error', reject);
      s.on('close', () => {
        if (status !== '0') return reject(new Error(`gRPC status ${status ?? '(none)'}: ${message}`));
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if (body.byteLength < 5 || body.readUInt32BE(1) !== body.byteLength - 5) return reject(new Error(`gRPC answer of ${body.byteLength} bytes is not one whole message`));
        resolve(fromBinary(ModelInferResponseSchema, body.subarray(5)));
      });
      s.end(framed);
    });
  }

  close(): void {
    this.session.close();
  }
}
