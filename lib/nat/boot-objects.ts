import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Fn, ref, TerraformLocal, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { awsProviderDefaults } from '../provider-defaults';
import { bootFile, bootFileDigest, bootManifestText, type ShippedBootFile } from './boot-files';

// The boot files as S3 objects the stack uploads: a private bucket of the user's own
// account, one object per file under a content-addressed key (boot/<sha256>/<name>), and the
// manifest user data carries so nat-load.sh can fetch and check them (docs/boot-files.md).

export { BOOT_LOADER_PATH, BOOT_MANIFEST_PATH } from './user-data';
/** Key prefix of every boot object; the instance role may read only under it. */
export const BOOT_KEY_PREFIX = 'boot/';
/** S3's limit of tags per object. */
const MAX_OBJECT_TAGS = 10;
/** Where a generated module keeps the boot files, relative to the module. */
export const SHIPPED_BOOT_DIR = 'boot';

/** A stack that ships files beside its Terraform (a generated module) reads them with `filesha256`. */
interface ShipsFiles {
  readonly shippedFiles?: Map<string, string>;
}

export interface BootObjectsProps {
  /** Name prefix of the bucket (lower case, at most 37 characters). */
  readonly natId: string;
  readonly region: string;
  /** The files to upload, as the cloud-config would write them. */
  readonly files: readonly ShippedBootFile[];
  /** S3 endpoint the loader calls (the dual-stack one for an instance without public IPv4). @default - the CLI's regional endpoint */
  readonly endpointUrl?: string;
  /** In a generated module: the directory, relative to the module, holding the boot files. */
  readonly moduleDir?: string;
}

export class BootObjects extends Construct {
  readonly bucket: S3Bucket;
  readonly objects: S3Object[] = [];
  /** The manifest text (`bucket ...` then one `file ...` line per object). */
  readonly manifest: string;
  /** ARN pattern of the objects, for the instance role's s3:GetObject. */
  readonly objectsArn: string;

  private readonly files: readonly ShippedBootFile[];
  private readonly region: string;
  private readonly endpointUrl?: string;
  /** The digests, when known here (not a generated module's `filesha256`). */
  private readonly plainDigests?: readonly string[];

  constructor(scope: Construct, id: string, props: BootObjectsProps) {
    super(scope, id);
    // Bucket names are lower case; a name only Terraform knows (a module input) is cut there.
    const prefix = Token.isUnresolved(props.natId) ? Fn.substr(Fn.lower(props.natId), 0, 30) : props.natId.toLowerCase().slice(0, 30);
    this.bucket = new S3Bucket(this, 'bucket', { bucketPrefix: `${prefix}-boot-`, forceDestroy: true });
    new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket: this.bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket: this.bucket.id, rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPolicy(this, 'tls-only', {
      bucket: this.bucket.id,
      policy: Fn.jsonencode({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'TlsOnly', Effect: 'Deny', Principal: '*', Action: 's3:*',
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }],
      }),
    });
    this.objectsArn = `${this.bucket.arn}/${BOOT_KEY_PREFIX}*`;
    // The provider's default tags reach every object; S3 refuses an object with more than 10
    // at apply, after the rest of the stack is half made. Checked at synth, when the provider is complete.
    this.node.addValidation({
      validate: () => {
        const tags = Object.keys(awsProviderDefaults(this).tags ?? {});
        return tags.length > MAX_OBJECT_TAGS
          ? [`the default aws provider's default_tags has ${tags.length} tags; they reach the NAT's boot files, S3 objects, which allow ${MAX_OBJECT_TAGS}: drop ${tags.length - MAX_OBJECT_TAGS}, or give those tags to resources another way`]
          : [];
      },
    });
    const stack = TerraformStack.of(scope) as TerraformStack & ShipsFiles;
    const inModule = props.moduleDir !== undefined && stack.shippedFiles instanceof Map;
    const digests: string[] = [];
    for (const file of props.files) {
      const text = bootFile(file.name);
      let digest: string;
      let source: { source?: string; content?: string; sourceHash?: string };
      if (inModule) {
        // The module's file decides the digest: what is uploaded is what the manifest pins.
        // path.module as a reference: a literal `${` inside a function argument is escaped.
        const path = `${Token.asString(ref('path.module'))}/${props.moduleDir}/${file.name}`;
        stack.shippedFiles!.set(`${props.moduleDir}/${file.name}`, text);
        digest = Fn.filesha256(path);
        source = { source: path, sourceHash: digest };
      } else {
        digest = bootFileDigest(file.name);
        // Terraform reads every JSON string as a template: the scripts' `${` and `%{` are literal.
        source = { content: text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{') };
      }
      const key = `${BOOT_KEY_PREFIX}${digest}/${file.name}`;
      // Resource names take letters, digits, '-' and '_' only.
      this.objects.push(new S3Object(this, `object-${file.name.replace(/[^A-Za-z0-9_-]/g, '-')}`, { bucket: this.bucket.id, key, ...source, contentType: 'text/plain' }));
      digests.push(digest);
    }
    const text = bootManifestText({ bucket: this.bucket.bucket, region: props.region, endpointUrl: props.endpointUrl }, props.files, digests);
    this.manifest = new TerraformLocal(this, 'manifest', text).asString;
    this.files = props.files;
    this.region = props.region;
    this.endpointUrl = props.endpointUrl;
    this.plainDigests = inModule ? undefined : digests;
  }

  /**
   * The manifest with `bucket` for the name S3 gives the bucket at apply (to measure the user
   * data with the longest name); undefined when only Terraform knows the digests.
   */
  manifestFor(bucket: string): string | undefined {
    if (this.plainDigests === undefined || Token.isUnresolved(this.region)) return undefined;
    return bootManifestText({ bucket, region: this.region, endpointUrl: this.endpointUrl }, this.files, this.plainDigests);
  }
}

/** The instance role's statement: read the boot objects, nothing else in the bucket. */
export function bootObjectsStatement(objectsArn: string): object {
  return { Sid: 'ReadOwnBootFiles', Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn };
}
