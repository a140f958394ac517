/**
 * cdktf-egress as a construct library: cheap AWS egress for your own CDKTF app.
 *
 * - `EgressNat`: the common case, a NAT instance for a VPC you already have (and its spokes).
 * - `NatInstance`, `SpokeAttachment`, `EgressVpc`, `VpcEndpoints`: the building blocks.
 * - `EgressStack` with `loadSpecFile` / `parseSpec`: a whole topology from a spec file.
 *
 * The same API is published for cdktn under `cdktf-egress/cdktn`.
 */

export { EgressNat, type EgressNatProps, type EgressNatSpoke, type ResourceInput, type VpcInput } from './egress-nat';
export { amiParameter, NatInstance, type EgressInterface, type NatInstanceProps, type PortForward } from './nat/nat-instance';
export { SpokeAttachment, type IndexedSpoke, type NatSpoke, type SpokeAttachmentProps } from './nat/spoke-attachment';
export type { WriteFile } from './nat/user-data';
export type { Flag } from './nat/conditional';
export { DEVICE_INDEX_TAG, NAT_TAG } from './nat/tags';
export {
  architectureOf,
  defaultInstanceTypes,
  enisNeeded,
  INSTANCE_TYPES,
  instanceTypesFor,
  type Architecture,
  type InstanceTypeInfo,
} from './nat/instance-types';
export { EgressVpc, type EgressVpcProps } from './network/egress-vpc';
export { existingVpcRef, privateRouteTableIds, type ExistingVpcProps, type SubnetRef, type VpcRef } from './network/vpc-ref';
export { VpcEndpoints, type EndpointPlacement, type VpcEndpointsProps } from './endpoints/vpc-endpoints';
export { GATEWAY_SERVICES, INTERFACE_SERVICES, PRESETS, type GatewayService } from './endpoints/services';
export {
  EXAMPLE_SPEC_FILE,
  formatIssue,
  loadSpecFile,
  parseSpec,
  SpecError,
  validateSpec,
  type Issue,
  type LoadedSpec,
  type Spec,
} from './spec';
export { AWS_PROVIDER_CONSTRAINT, EgressStack } from './stacks/egress-stack';
