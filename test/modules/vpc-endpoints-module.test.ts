import { PRESETS } from '../../lib/endpoints/services';
import { moduleJson, resourceOf } from './module-json';

const endpoints = () => moduleJson('vpc-endpoints');

describe('modules/vpc-endpoints', () => {
  it('GIVEN its inputs THEN private subnets are { id, az, route_table_id } objects and placement is single-subnet by default', () => {
    const variables = endpoints().variables.variable;
    expect(variables.private_subnets.type).toBe('list(object({ id = string, az = string, route_table_id = string }))');
    expect(variables.placement).toMatchObject({ type: 'string', default: 'single-subnet' });
    expect(variables.gateway).toMatchObject({ type: 'list(string)', default: [] });
    expect(variables.interface).toMatchObject({ type: 'list(string)', default: [] });
  });

  it('GIVEN the presets THEN the module expands them from the same table as the construct', () => {
    expect(endpoints().main.locals.presets).toEqual(PRESETS);
    expect(endpoints().main.locals.interface_services).toBe(
      '${distinct(flatten([ for key, val in var.interface: contains(keys(local.presets), val) ? local.presets[val].interface : [val]]))}',
    );
    expect(endpoints().main.locals.gateway_services).toBe(
      '${distinct(concat(var.gateway, flatten([ for key, val in var.interface: contains(keys(local.presets), val) ? local.presets[val].gateway : []])))}',
    );
  });

  it('GIVEN gateway services THEN one gateway endpoint each, routed from every private route table once', () => {
    expect(resourceOf(endpoints(), 'aws_vpc_endpoint', 'gateway')).toMatchObject({
      for_each: '${toset(local.gateway_services)}',
      vpc_endpoint_type: 'Gateway',
      route_table_ids: '${distinct([ for key, val in local.private_subnets: val.routeTableId])}',
    });
  });

  it('GIVEN interface services THEN one interface endpoint each, in the subnets the placement picks', () => {
    const endpoint = resourceOf(endpoints(), 'aws_vpc_endpoint', 'interface');
    expect(endpoint).toMatchObject({ for_each: '${toset(local.interface_services)}', vpc_endpoint_type: 'Interface', private_dns_enabled: true });
    expect(endpoint.subnet_ids).toBe(
      '${tolist((var.placement == "per-az") ? [ for key, val in { for key, val in local.private_subnets: val.az => val.id... }: val[0]] : [ for key, val in slice(local.private_subnets, 0, min(1, length(local.private_subnets))): val.id])}',
    );
    expect(endpoint.service_name).toContain('"com.amazonaws.${data.aws_region.current.id}.${each.value}"');
  });

  it('GIVEN no interface endpoint THEN no security group is made', () => {
    const count = '${tonumber((length(local.interface_services) >= 1) ? 1 : 0)}';
    expect(resourceOf(endpoints(), 'aws_security_group', 'this').count).toBe(count);
    expect(resourceOf(endpoints(), 'aws_security_group_rule', 'https')).toMatchObject({ count, from_port: 443, cidr_blocks: '${var.vpc_cidr_blocks}' });
  });
});
