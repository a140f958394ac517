// The usual CDKTF setup, kept for comparison by `npm run bench`: `cdktf synth` runs this
// with ts-node type-checking, and the provider is imported from its package root.
import * as aws from '@cdktf/provider-aws';
import { App } from 'cdktf';
import { loadSpecFromEnv } from '../../lib/spec';
import { EgressStack } from '../../lib/stacks/egress-stack';

const app = new App();
new EgressStack(app, loadSpecFromEnv().spec);
app.synth();
process.stdout.write(`loaded ${Object.keys(aws).length} provider namespaces\n`);
