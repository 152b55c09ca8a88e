/**
 * A real S3 server nobody here wrote, for what s3rver cannot show: Ceph RGW, which enforces conditional
 * writes (If-Match / If-None-Match) atomically. The cluster is started once per test run, outside vitest
 * (`npm run test:rgw`, or scripts/rgw-up.sh), and found through RGW_ENDPOINT, RGW_ACCESS_KEY and
 * RGW_SECRET_KEY. Each startRgw() makes a fresh bucket; stop() empties and deletes it.
 *
 * Same interface as the s3rver harness (tests/support/s3.ts), with differences that follow from there
 * being no proxy: directEndpoint is the endpoint; `faults` and `loserResponses` have no effect (the
 * losers' answers are RGW's own: 412 or 500); `enforceConditions` cannot be switched off; `counts` holds
 * only the requests of clients made by client() or store(), not those of the handlers' own clients.
 */
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { makeHarness, type S3Harness } from './s3.js';

const HOW_TO_START =
  'start one with `npm run test:rgw` (starts and stops it around vitest), or run `scripts/rgw-up.sh DIR` and export the ' +
  'RGW_ENDPOINT, RGW_ACCESS_KEY and RGW_SECRET_KEY lines it prints (stop it with scripts/rgw-down.sh DIR)';

export async function startRgw(): Promise<S3Harness> {
  const endpoint = process.env.RGW_ENDPOINT;
  const accessKeyId = process.env.RGW_ACCESS_KEY;
  const secretAccessKey = process.env.RGW_SECRET_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey) {
    throw new Error(`These tests need a running Ceph RGW and RGW_ENDPOINT, RGW_ACCESS_KEY, RGW_SECRET_KEY set: ${HOW_TO_START}.`);
  }
  const bucket = `feeds-${randomBytes(4).toString('hex')}`;
  const harness = makeHarness({
    endpoint,
    directEndpoint: endpoint,
    bucket,
    credentials: { accessKeyId, secretAccessKey },
    countInClient: true,
    stop: async () => {
      const client = harness.client();
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        const objects = (page.Contents ?? []).map((item) => ({ Key: item.Key }));
        if (objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      client.destroy();
    },
  });
  try {
    await harness.client().send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    throw new Error(`Cannot create a bucket on the RGW at ${endpoint} (${(error as Error).message}); is it still running? ${HOW_TO_START}.`, { cause: error });
  }
  harness.resetCounts();
  return harness;
}
