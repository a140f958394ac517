import { EgressVpcModule } from './egress-vpc-module';
import { MultiVpcNatModule } from './multi-vpc-nat-module';
import { NatInstanceModule } from './nat-instance-module';
import type { ModuleDefinition } from './render';
import { VpcEndpointsModule } from './vpc-endpoints-module';
import { EGRESS_VPC_DOCS, MULTI_VPC_NAT_DOCS, NAT_INSTANCE_DOCS, VPC_ENDPOINTS_DOCS } from './docs';

/** Every module under modules/, in the order the README of modules/ lists them. */
export const MODULES: readonly ModuleDefinition[] = [
  { name: 'nat-instance', build: (app) => new NatInstanceModule(app), ...NAT_INSTANCE_DOCS },
  { name: 'multi-vpc-nat', build: (app) => new MultiVpcNatModule(app), ...MULTI_VPC_NAT_DOCS },
  { name: 'vpc-endpoints', build: (app) => new VpcEndpointsModule(app), ...VPC_ENDPOINTS_DOCS },
  { name: 'egress-vpc', build: (app) => new EgressVpcModule(app), ...EGRESS_VPC_DOCS },
];
