/**
 * Interface endpoint services by short name, and presets that expand to several.
 * A full service name (`com.amazonaws.<region>.<service>`) is accepted as is.
 */
export const INTERFACE_SERVICES: readonly string[] = [
  'autoscaling', 'cloudformation', 'ec2', 'ec2messages', 'ecr.api', 'ecr.dkr', 'ecs', 'ecs-agent',
  'ecs-telemetry', 'elasticfilesystem', 'elasticloadbalancing', 'events', 'execute-api', 'kinesis-streams',
  'kms', 'lambda', 'logs', 'monitoring', 'rds', 'secretsmanager', 'sns', 'sqs', 'ssm', 'ssmmessages',
  'states', 'sts', 'xray',
];

export const GATEWAY_SERVICES = ['s3', 'dynamodb'] as const;
export type GatewayService = (typeof GATEWAY_SERVICES)[number];

export interface Preset {
  readonly interface: readonly string[];
  readonly gateway: readonly GatewayService[];
}

export const PRESETS: Readonly<Record<string, Preset>> = {
  /** What Session Manager needs on an instance with no internet route. */
  ssm: { interface: ['ssm', 'ssmmessages', 'ec2messages'], gateway: [] },
  /** Image pulls: the registry API, the Docker endpoint, and S3 where the layers live. */
  ecr: { interface: ['ecr.api', 'ecr.dkr'], gateway: ['s3'] },
};

const FULL_NAME = /^(com\.amazonaws|aws\.[a-z0-9-]+)\.[a-z0-9.-]+$/;

export function isFullServiceName(name: string): boolean {
  return FULL_NAME.test(name);
}

export function serviceName(region: string, name: string): string {
  return isFullServiceName(name) ? name : `com.amazonaws.${region}.${name}`;
}

export interface ExpandedEndpoints {
  readonly interface: string[];
  readonly gateway: GatewayService[];
  /** Problems, each with the index in the `interface` list it came from. */
  readonly problems: { index: number; message: string }[];
}

/** `com.amazonaws.<region>.ssm` -> `ssm` when it is a known service, so a service named both ways counts once. */
function shortName(name: string): string {
  const match = /^com\.amazonaws\.[a-z0-9-]+\.(.+)$/.exec(name);
  return match && INTERFACE_SERVICES.includes(match[1]) ? match[1] : name;
}

/** Expands presets, rejects unknown short names, and finds services listed twice. */
export function expandEndpoints(interfaces: readonly string[], gateways: readonly GatewayService[]): ExpandedEndpoints {
  const problems: { index: number; message: string }[] = [];
  // Keyed by short name so `ssm` and `com.amazonaws.<region>.ssm` count as one service.
  const from = new Map<string, { service: string; entry: string }>();
  const gateway = new Set<GatewayService>(gateways);
  interfaces.forEach((entry, index) => {
    // Own keys only: "constructor" or "toString" must not find Object.prototype members.
    const preset = Object.hasOwn(PRESETS, entry) ? PRESETS[entry] : undefined;
    if (!preset && !INTERFACE_SERVICES.includes(entry) && !isFullServiceName(entry)) {
      problems.push({
        index,
        message: `unknown interface endpoint "${entry}"; use a preset (${Object.keys(PRESETS).join(', ')}), a short name (${INTERFACE_SERVICES.join(', ')}) or a full name such as com.amazonaws.<region>.<service>`,
      });
      return;
    }
    for (const service of preset ? preset.interface : [entry]) {
      const earlier = from.get(shortName(service));
      if (earlier !== undefined) {
        problems.push({ index, message: `"${service}" is listed twice (also from "${earlier.entry}"); list it once` });
      } else {
        from.set(shortName(service), { service, entry });
      }
    }
    preset?.gateway.forEach((service) => gateway.add(service));
  });
  return { interface: [...from.values()].map((v) => v.service), gateway: [...gateway], problems };
}
