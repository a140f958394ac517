import { messagesOf, moduleJson, resourceOf } from './module-json';

const multi = () => moduleJson('multi-vpc-nat');
const SPOKE_RESOURCES: [string, string][] = [
  ['aws_security_group', 'spoke'],
  ['aws_security_group_rule', 'spoke_ingress'],
  ['aws_security_group_rule', 'spoke_egress'],
  ['aws_network_interface', 'spoke'],
];

describe('modules/multi-vpc-nat inputs', () => {
  it('GIVEN spokes THEN they are a typed list of objects, empty by default', () => {
    expect(multi().variables.variable.spokes).toMatchObject({
      type: 'list(object({ name = string, vpc_id = string, subnet_id = string, cidr_blocks = list(string), route_table_ids = list(string) }))',
      default: [],
    });
  });

  it('GIVEN egress_interface THEN it is dedicated by default and only dedicated or primary', () => {
    expect(multi().variables.variable.egress_interface.default).toBe('dedicated');
    expect(messagesOf(multi(), 'egress_interface')).toEqual(['egress_interface must be one of "dedicated", "primary"']);
  });

  it('GIVEN instance_types left null THEN the two cheapest Graviton types carrying the interfaces needed are picked', () => {
    expect(multi().variables.variable.instance_types).toMatchObject({ type: 'list(string)', default: null, nullable: true });
    const picked = multi().main.locals.instance_types as string;
    expect(picked).toBe('${var.instance_types != null ? var.instance_types : slice(local.fitting_types, 0, min(2, length(local.fitting_types)))}');
    expect(multi().main.locals.fitting_types).toMatch(/^\$\{\[for t in \["t4g\.nano","t4g\.micro",.* : t if local\.eni_limits\[t\] >= local\.enis_needed\]\}$/);
    expect(multi().main.locals.enis_needed).toBe('${1 + (var.egress_interface == "dedicated" ? 1 : 0) + length(var.spokes)}');
    expect(multi().main.locals.eni_limits).toMatchObject({ 't4g.nano': 2, 'c6gn.4xlarge': 8 });
    expect(multi().outputs.output.instance_types.value).toBe('${local.instance_types}');
  });

  it('GIVEN the same shared inputs as nat-instance THEN their types and defaults agree', () => {
    const single = moduleJson('nat-instance').variables.variable;
    for (const name of ['name', 'enabled', 'image_id', 'use_spot_instance', 'key_name', 'tags', 'user_data_write_files', 'user_data_runcmd', 'ssm_policy_arn', 'port_forwards']) {
      expect({ name, type: multi().variables.variable[name].type, default: multi().variables.variable[name].default }).toEqual({ name, type: single[name].type, default: single[name].default });
    }
  });
});

describe('modules/multi-vpc-nat spokes of any number', () => {
  it('GIVEN spokes THEN they are keyed by name, each with its device index: 2.. beside a dedicated egress ENI, else 1..', () => {
    expect(multi().main.locals.indexed_spokes).toBe(
      '${[ for key, val in local.spokes: merge(val, {"deviceIndex" = (tonumber((var.egress_interface == "dedicated") ? 2 : 1) + key)})]}',
    );
    expect(multi().main.locals.spokes_by_name).toBe('${{ for key, val in local.indexed_spokes: val.name => val }}');
  });

  it.each(SPOKE_RESOURCES)('GIVEN spokes THEN every %s.%s is made once per spoke with for_each', (type, name) => {
    expect(resourceOf(multi(), type, name).for_each).toBe('${local.spokes_by_name}');
  });

  it('GIVEN a spoke THEN its ENI is in its subnet behind its own security group, tagged with its device index', () => {
    const eni = resourceOf(multi(), 'aws_network_interface', 'spoke');
    expect(eni).toMatchObject({ subnet_id: '${each.value.subnetId}', security_groups: ['${aws_security_group.spoke[each.key].id}'], source_dest_check: false });
    expect(eni.tags).toContain('"cdktf-egress:device-index" = each.value.deviceIndex');
  });

  it('GIVEN spokes with route tables THEN one route per (spoke, route table), keyed "<spoke>/<i>", to that spoke\'s ENI', () => {
    expect(multi().main.locals.spoke_route_tables).toBe(
      '${{ for key, val in flatten([ for key, val in local.spokes_by_name: [for i, id in val.routeTableIds : { address = "${key}/${i}", spoke = key, routeTableId = id }]]): val.address => val }}',
    );
    expect(resourceOf(multi(), 'aws_route', 'spoke')).toMatchObject({
      for_each: '${local.spoke_route_tables}',
      route_table_id: '${each.value.routeTableId}',
      network_interface_id: '${aws_network_interface.spoke[each.value.spoke].id}',
      destination_cidr_block: '0.0.0.0/0',
    });
  });

  it('GIVEN the boot config THEN SPOKES maps each device index to the spoke\'s CIDRs, rendered by Terraform', () => {
    const conf = (multi().main.locals.cloud_config_base.write_files as { path: string; content: string }[]).find((f) => f.path.endsWith('nat.conf'))?.content;
    expect(conf).toContain('SPOKES="${join(" ", [ for key, val in local.indexed_spokes: join("", [val.deviceIndex, "=", join(",", val.cidrs)])])}"');
    expect(conf).toContain('EGRESS_MODE="${var.egress_interface}"');
    expect(conf).toContain('HUB_CIDRS="${join(" ", tolist((var.egress_interface == "dedicated") ? var.hub_cidr_blocks : []))}"');
  });

  it('GIVEN the outputs THEN spoke ENIs and security groups are maps by spoke name', () => {
    expect(multi().outputs.output.spoke_eni_ids.value).toBe('${{ for name, eni in aws_network_interface.spoke : name => eni.id }}');
    expect(multi().outputs.output.spoke_sg_ids.value).toBe('${{ for name, sg in aws_security_group.spoke : name => sg.id }}');
  });
});

describe('modules/multi-vpc-nat egress interface', () => {
  it('GIVEN dedicated or primary THEN the egress ENI exists only when dedicated, and the EIP goes onto it only then', () => {
    expect(resourceOf(multi(), 'aws_network_interface', 'this').count).toBe('${tonumber((var.egress_interface == "dedicated") ? 1 : 0)}');
    expect(resourceOf(multi(), 'aws_eip', 'this')).toMatchObject({
      network_interface: '${tostring((var.egress_interface == "dedicated") ? one(aws_network_interface.this[*].id) : null)}',
    });
    expect(resourceOf(multi(), 'aws_eip', 'this')).not.toHaveProperty('count');
  });

  it('GIVEN primary THEN the hub gets no routes and no ingress rule', () => {
    expect(multi().main.locals.hub_route_table_ids).toBe('${var.egress_interface == "dedicated" ? var.private_route_table_ids : []}');
    expect(resourceOf(multi(), 'aws_route', 'this').count).toBe('${length(local.hub_route_table_ids)}');
    expect(resourceOf(multi(), 'aws_security_group_rule', 'ingress_any').count).toBe(
      '${tonumber(((var.egress_interface == "dedicated") && (length(var.hub_cidr_blocks) >= 1)) ? 1 : 0)}',
    );
  });

  it('GIVEN the boot role THEN it may associate the NAT\'s own EIP (the primary mode moves it at boot)', () => {
    expect(resourceOf(multi(), 'aws_iam_role_policy', 'boot').policy).toContain('elastic-ip/${aws_eip.this.allocation_id}');
  });
});
