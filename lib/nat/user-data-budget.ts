import { App } from 'cdktf';
import { loadSpecFromEnv, SpecError, validateSpec, type Spec } from '../spec';
import { EgressStack } from '../stacks/egress-stack';
import { USER_DATA_LIMIT } from './user-data';

/**
 * `npm run user-data-budget [-- <spec>]`: for each NAT of the spec (EGRESS_SPEC, the argument,
 * or the built-in example), the user data the NAT itself needs and what is left of EC2's
 * 16,384 bytes for `userData.writeFiles` and `runcmd`, measured as EC2 counts it (gzip bytes)
 * with the longest bucket name S3 allows. Nothing is written.
 */

export interface NatUserDataBudget {
  readonly nat: string;
  /** The NAT's own user data: loader, manifest, nat.conf, watchdog.conf. */
  readonly own: number;
  /** With the spec's own userData, when it has any. */
  readonly withSpecUserData?: number;
  readonly left: number;
}

/** Each NAT's user data, its own and with the spec's extra files and commands. */
export function userDataBudget(spec: Spec): NatUserDataBudget[] {
  const bare = validateSpec({ ...spec, natInstances: spec.natInstances.map((nat) => ({ ...nat, userData: { writeFiles: [], runcmd: [] } })) }).spec;
  const sizes = (s: Spec) => new Map([...new EgressStack(new App(), s).nats].map(([name, nat]) => [name, nat.userDataBytes ?? 0]));
  const own = sizes(bare);
  const full = sizes(spec);
  return spec.natInstances.map((nat) => {
    const extra = nat.userData.writeFiles.length > 0 || nat.userData.runcmd.length > 0;
    return { nat: nat.name, own: own.get(nat.name)!, withSpecUserData: extra ? full.get(nat.name) : undefined, left: USER_DATA_LIMIT - own.get(nat.name)! };
  });
}

const number = (n: number): string => n.toLocaleString('en-US');

export function renderUserDataBudget(budgets: readonly NatUserDataBudget[]): string {
  return budgets.map((b) => {
    const extra = b.withSpecUserData === undefined ? '' : `; with the spec's userData ${number(b.withSpecUserData)}`;
    return `${b.nat}: the NAT's own user data ${number(b.own)} bytes, ${number(b.left)} of ${number(USER_DATA_LIMIT)} left for userData.writeFiles and runcmd${extra}\n`;
  }).join('');
}

if (require.main === module) {
  try {
    process.stdout.write(renderUserDataBudget(userDataBudget(loadSpecFromEnv(process.env, process.argv.slice(2)).spec)));
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 2;
  }
}
