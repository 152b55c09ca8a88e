/**
 * The deployment's permissions, read from what `osls package` generates (the CloudFormation template CI
 * builds): least privilege for the Lambda role, failure handling for the S3-triggered functions, IAM auth
 * on the HTTP routes. Packages once into a temporary folder, so it never touches CI's .serverless/.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_PREFIXES, PREFIX_ACCESS } from '../src/layout.js';

const root = join(import.meta.dirname, '..');
const STAGE = 'iamtest';

type Json = any;
let template: Json;
let resources: Record<string, Json>;
let packageDir: string;

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), 'syndicate-iam-'));
  // SITE_URL is required to package (no placeholder); its value does not change the permissions.
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x', SLS_TELEMETRY_DISABLED: '1', SITE_URL: 'https://news.test.example/' };
  // The defaults of serverless.yml, whatever the environment running the tests says.
  for (const name of ['FEED_BUCKET_NAME', 'FEED_PREFIX', 'PHOTO_KEY_PREFIX', 'AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete env[name];
  await promisify(execFile)('npx', ['osls', 'package', '--stage', STAGE, '--package', packageDir], { cwd: root, env, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 });
  template = JSON.parse(await readFile(join(packageDir, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 200_000);

afterAll(async () => {
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/** A resource as text: intrinsic functions resolved where they are plain (pseudo parameters, joins, subs). */
function resolve(value: Json): string {
  if (typeof value === 'string') return value;
  if (value?.Ref === 'AWS::Partition') return 'aws';
  if (value?.Ref === 'AWS::Region') return 'us-east-1';
  if (value?.Ref === 'AWS::AccountId') return '123456789012';
  if (value?.Ref) return `{Ref:${value.Ref}}`;
  if (value?.['Fn::GetAtt']) return `{GetAtt:${list(value['Fn::GetAtt']).join('.')}}`;
  if (value?.['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return (parts as Json[]).map(resolve).join(separator);
  }
  if (value?.['Fn::Sub']) {
    const text = typeof value['Fn::Sub'] === 'string' ? value['Fn::Sub'] : value['Fn::Sub'][0];
    return text.replace(/\$\{AWS::Partition\}/g, 'aws').replace(/\$\{AWS::Region\}/g, 'us-east-1').replace(/\$\{AWS::AccountId\}/g, '123456789012');
  }
  return JSON.stringify(value);
}

function lambdaRole(): [string, Json] {
  const roles = ofType('AWS::IAM::Role').filter(([, r]) =>
    list(r.Properties.AssumeRolePolicyDocument?.Statement).some((s: Json) => list(s.Principal?.Service).includes('lambda.amazonaws.com')),
  );
  expect(roles).toHaveLength(1);
  return roles[0] as [string, Json];
}

function statements(): Json[] {
  const [, role] = lambdaRole();
  return list(role.Properties.Policies).flatMap((p: Json) => list(p.PolicyDocument.Statement));
}

function bucketName(): string {
  const names = ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment?.Variables?.FEED_BUCKET);
  expect(new Set(names).size).toBe(1);
  return names[0] as string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('the Lambda execution role', () => {
  it('is the role of every function, with no managed policies and no other policy resources attached', () => {
    const [name, role] = lambdaRole();
    for (const [, fn] of ofType('AWS::Lambda::Function')) expect(fn.Properties.Role).toEqual({ 'Fn::GetAtt': [name, 'Arn'] });
    expect(list(role.Properties.ManagedPolicyArns)).toEqual([]);
    expect(ofType('AWS::IAM::Policy')).toEqual([]);
    expect(ofType('AWS::IAM::ManagedPolicy')).toEqual([]);
  });

  it('allows only, and only named actions: no *, no s3:*, no action ending in *', () => {
    for (const statement of statements()) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      for (const action of list<string>(statement.Action)) {
        expect(action).not.toBe('*');
        expect(action, `wildcard action ${action}`).not.toMatch(/\*/);
        expect(action).toMatch(/^(s3|logs|sqs):[A-Za-z]+$/);
      }
    }
  });

  it('never grants Resource "*", not even for the framework logs statements', () => {
    for (const statement of statements()) {
      const resourcesOf = list(statement.Resource);
      expect(resourcesOf.length).toBeGreaterThan(0);
      for (const resource of resourcesOf) {
        expect(resource).not.toBe('*');
        expect(resolve(resource)).not.toBe('*');
        expect(resolve(resource)).not.toMatch(/^arn:aws:[a-z0-9-]+:[^:]*:[^:]*:\*$/);
      }
    }
  });

  it('writes logs only to its own log groups', () => {
    const logs = statements().filter((s) => list<string>(s.Action).some((a) => a.startsWith('logs:')));
    expect(logs.length).toBeGreaterThan(0);
    for (const statement of logs) {
      expect(list<string>(statement.Action).every((a) => a.startsWith('logs:'))).toBe(true);
      for (const resource of list(statement.Resource)) {
        expect(resolve(resource)).toMatch(new RegExp(`^arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/syndicate-feeds-${STAGE}`));
      }
    }
  });

  it("gives S3 access to this bucket's prefixes only: arn:aws:s3:::<bucket>/<prefix>/*, never <bucket>/*", () => {
    const bucket = bucketName();
    const s3 = statements().filter((s) => list<string>(s.Action).some((a) => a.startsWith('s3:')));
    expect(s3.length).toBeGreaterThan(0);
    const objectArn = new RegExp(`^arn:aws:s3:::${escapeRegExp(bucket)}/([A-Za-z0-9._-]+/)+\\*$`);
    for (const statement of s3) {
      const actions = list<string>(statement.Action);
      expect(actions.every((a) => a.startsWith('s3:'))).toBe(true);
      const bucketLevel = actions.filter((a) => a === 's3:ListBucket');
      // Bucket-level and object-level actions never share a statement, so each gets only its own ARNs.
      expect(bucketLevel.length === 0 || bucketLevel.length === actions.length).toBe(true);
      for (const resource of list(statement.Resource)) {
        const arn = resolve(resource);
        if (bucketLevel.length > 0) expect(arn).toBe(`arn:aws:s3:::${bucket}`);
        else expect(arn, `${actions.join(',')} on ${arn}`).toMatch(objectArn);
        expect(arn).not.toBe(`arn:aws:s3:::${bucket}/*`);
      }
    }
  });

  it('may list the bucket with no condition: without it a missing key answers 403, not 404', () => {
    // A ListBucket conditioned on s3:prefix does not count for that check: AWS asks for ListBucket on the
    // bucket as such. Listing reveals key names only; contents stay behind the per-prefix grants.
    const bucket = bucketName();
    const listing = statements().filter((s) => list<string>(s.Action).includes('s3:ListBucket'));
    expect(listing.length).toBeGreaterThan(0);
    expect(listing.some((s) => s.Condition === undefined && list(s.Resource).some((r) => resolve(r) === `arn:aws:s3:::${bucket}`))).toBe(true);
    for (const statement of listing) expect(statement.Condition, 'a condition on ListBucket leaves missing keys answering 403').toBeUndefined();
  });

  it('grants exactly the object actions src/layout.ts says each prefix needs, plus the feeds (get, put) and photos (get)', () => {
    const bucket = bucketName();
    const env = (name: string) => {
      const values = new Set(ofType('AWS::Lambda::Function').map(([, f]) => f.Properties.Environment?.Variables?.[name]));
      expect(values.size, `${name} differs between functions`).toBe(1);
      return [...values][0] as string;
    };
    const ACTION = { get: 's3:GetObject', put: 's3:PutObject', delete: 's3:DeleteObject' } as const;
    const expected: Record<string, string[]> = {};
    for (const prefix of INTERNAL_PREFIXES) expected[prefix] = PREFIX_ACCESS[prefix].map((a) => ACTION[a]).sort();
    const feedPrefix = env('FEED_PREFIX');
    const photoPrefix = env('PHOTO_KEY_PREFIX');
    expect(feedPrefix).toBe('feeds/');
    expect(photoPrefix).toBe('photos/');
    expected[feedPrefix] = [ACTION.get, ACTION.put].sort();
    expected[photoPrefix] = [ACTION.get];

    const granted: Record<string, Set<string>> = {};
    for (const statement of statements()) {
      const actions = list<string>(statement.Action).filter((a) => a.startsWith('s3:') && a !== 's3:ListBucket');
      for (const resource of list(statement.Resource)) {
        const arn = resolve(resource);
        if (!arn.startsWith(`arn:aws:s3:::${bucket}/`)) continue;
        const prefix = arn.slice(`arn:aws:s3:::${bucket}/`.length).replace(/\*$/, '');
        const set = granted[prefix] ?? new Set<string>();
        for (const action of actions) set.add(action);
        granted[prefix] = set;
      }
    }
    const actual = Object.fromEntries(Object.entries(granted).map(([prefix, actions]) => [prefix, [...actions].sort()]));
    expect(actual).toEqual(expected);
  });

  it('never deletes under feeds/ or incoming/ (and never writes under incoming/, which would trigger itself)', () => {
    const bucket = bucketName();
    for (const statement of statements()) {
      const actions = list<string>(statement.Action);
      const paths = list(statement.Resource).map((r) => resolve(r).replace(`arn:aws:s3:::${bucket}/`, ''));
      if (actions.includes('s3:DeleteObject')) {
        expect(paths.filter((p) => p.startsWith('feeds/') || p.startsWith('incoming/') || p === '*')).toEqual([]);
      }
      if (actions.includes('s3:PutObject')) expect(paths.filter((p) => p.startsWith('incoming/') || p === '*')).toEqual([]);
    }
  });

  it('sends SQS messages only to the failed-events queue', () => {
    for (const statement of statements().filter((s) => list<string>(s.Action).some((a) => a.startsWith('sqs:')))) {
      expect(list<string>(statement.Action)).toEqual(['sqs:SendMessage']);
      for (const resource of list(statement.Resource)) expect(resource).toEqual({ 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] });
    }
    expect(resources.FailedEventsQueue?.Type).toBe('AWS::SQS::Queue');
  });
});

describe('S3-triggered functions', () => {
  function s3Triggered(): string[] {
    const names = new Set<string>();
    for (const [, bucket] of ofType('AWS::S3::Bucket')) {
      for (const config of list(bucket.Properties?.NotificationConfiguration?.LambdaConfigurations)) {
        const fn = (config as Json).Function;
        names.add(fn['Fn::GetAtt'] ? fn['Fn::GetAtt'][0] : fn.Ref);
      }
    }
    return [...names].sort();
  }

  it('are publish and unpublish, on this bucket, under incoming/', () => {
    expect(s3Triggered()).toEqual(['PublishLambdaFunction', 'UnpublishLambdaFunction']);
    const [, bucket] = ofType('AWS::S3::Bucket').find(([, b]) => b.Properties?.BucketName === bucketName()) ?? [];
    for (const config of list((bucket as Json).Properties.NotificationConfiguration.LambdaConfigurations)) {
      expect((config as Json).Filter.S3Key.Rules).toEqual([{ Name: 'prefix', Value: 'incoming/' }]);
    }
  });

  it('each retry at most twice, then go to an on-failure destination or a dead-letter queue', () => {
    const functions = s3Triggered();
    expect(functions.length).toBeGreaterThan(0);
    for (const name of functions) {
      const configs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => c.Properties.FunctionName?.Ref === name);
      expect(configs, `${name} has no EventInvokeConfig`).toHaveLength(1);
      const config = (configs[0] as [string, Json])[1].Properties;
      expect(config.MaximumRetryAttempts).toBeLessThanOrEqual(2);
      const destination = config.DestinationConfig?.OnFailure?.Destination;
      const deadLetter = resources[name]?.Properties?.DeadLetterConfig?.TargetArn;
      expect(destination ?? deadLetter, `${name} has neither an on-failure destination nor a DLQ`).toBeDefined();
      const target = (destination ?? deadLetter)['Fn::GetAtt']?.[0];
      expect(resources[target]?.Type).toBe('AWS::SQS::Queue');
    }
  });
});

describe('the HTTP API', () => {
  it('has POST /articles and DELETE /articles/{id}, both behind AWS_IAM authorization', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['DELETE /articles/{id}', 'POST /articles']);
    for (const route of routes) expect(route.AuthorizationType, route.RouteKey).toBe('AWS_IAM');
  });
});
