import { generateModules } from '../../lib/modules/generate';
import { expression, hclForScope, template } from '../../lib/modules/hcl';
import { attribute, renderBody } from '../../lib/modules/hcl/body';
import { renameReferences } from '../../lib/modules/hcl/values';
import { NatInstance } from '../../lib/nat/nat-instance';
import { moduleJson } from './module-json';

describe('HCL expressions', () => {
  it.each([
    ['[ for key, val in local.x: val.id]', '[for key, val in local.x : val.id]'],
    ['{ for key, val in local.x: val.name => val }', '{ for key, val in local.x : val.name => val }'],
    ['merge(var.tags, {"Name" = var.name})', 'merge(var.tags, { "Name" = var.name })'],
    ['tonumber((length(var.a) >= 1) ? 1 : 0)', 'tonumber((length(var.a) >= 1) ? 1 : 0)'],
    ['one(aws_eip.this[*].public_ip)', 'one(aws_eip.this[*].public_ip)'],
    ['!contains(keys(local.t), t)', '!contains(keys(local.t), t)'],
    ['{ for s in var.spokes : s.name => s... }', '{ for s in var.spokes : s.name => s... }'],
    ['[for t in (var.a == null ? [] : var.a) : t]', '[for t in(var.a == null ? [] : var.a) : t]'],
    ['x - 1 + (-2)', 'x - 1 + (-2)'],
    ['{}', '{}'],
  ])('GIVEN %s THEN it is spaced as terraform fmt spaces it: %s', (source, formatted) => {
    expect(expression(source)).toBe(formatted);
  });

  it('GIVEN quoted templates inside an expression THEN their interpolations are spaced and their text kept', () => {
    expect(expression('join(",", [ for v in x: "${ v.a }:\\"q\\""])')).toBe('join(",", [for v in x : "${v.a}:\\"q\\""])');
  });
});

describe('HCL templates (JSON string values)', () => {
  it('GIVEN a string that is one interpolation THEN it is the bare expression', () => {
    expect(template('${aws_security_group.this.id}')).toEqual(['aws_security_group.this.id']);
  });

  it('GIVEN text around interpolations THEN a quoted string, only the text escaped', () => {
    expect(template('${var.name}-"x"\\\n')).toEqual(['"${var.name}-\\"x\\"\\\\\\n"']);
    expect(template('port forward to ${each.value.to}')).toEqual(['"port forward to ${each.value.to}"']);
  });

  it('GIVEN a reference through an iterator THEN renaming it touches references only, not text or attributes', () => {
    expect(renameReferences('${each.key}/${each.value.each} each.key ${local.each}', 'each', 'tag')).toBe('${tag.key}/${tag.value.each} each.key ${local.each}');
  });

  it('GIVEN escaped interpolations and directives THEN they stay escaped', () => {
    expect(template('literal $${x} and %%{y}')).toEqual(['"literal $${x} and %%{y}"']);
  });

  it('GIVEN a long multi-line text ending in a newline THEN a heredoc a reviewer reads line by line', () => {
    const text = `# config\nNAT_ID="\${var.name}"\n${'A="1"\n'.repeat(20)}`;
    const lines = template(text);
    expect(lines[0]).toBe('<<EOT');
    expect(lines.map((l) => l.replace('\u0000', ''))).toContain('NAT_ID="${var.name}"');
    expect(lines.at(-1)?.replace('\u0000', '')).toBe('EOT');
  });
});

describe('HCL bodies', () => {
  it('GIVEN a heredoc between one-line attributes THEN all their `=` align, as terraform fmt aligns them', () => {
    const lines = renderBody([attribute('a', ['1']), attribute('bb', ['<<EOT', 'hello', 'EOT']), attribute('cccccc', ['2']), attribute('d', ['3'])]);
    expect(lines).toEqual(['a      = 1', 'bb     = <<EOT', 'hello', 'EOT', 'cccccc = 2', 'd      = 3']);
  });

  it('GIVEN a NAT\'s boot object THEN its content is an attribute (a heredoc), not a `dynamic` block\'s content', () => {
    const hcl = hclForScope((scope) => {
      new NatInstance(scope, 'nat', {
        natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-0123456789abcdef0', publicSubnetId: 'subnet-0123456789abcdef0',
        servedCidrs: ['10.0.0.0/16'], instanceTypes: ['t4g.nano'],
      });
    });
    expect(hcl).toMatch(/resource "aws_s3_object" "nat_boot-files_object-nat-boot-sh_[0-9A-F]+" \{\n  bucket       = [^\n]+\n  content      = <<EOT\n#!\/usr\/bin\/env bash\n/);
    expect(hcl).not.toMatch(/^\s+content \{$/m);
  });
});

describe('HCL documents from constructs', () => {
  it('GIVEN a NAT from plain values THEN blocks are blocks and maps are `= {}`, as the provider bindings say, attributes aligned', () => {
    const hcl = hclForScope((scope) => {
      new NatInstance(scope, 'nat', {
        natId: 'dev-shared', region: 'ap-northeast-1', vpcId: 'vpc-0123456789abcdef0', publicSubnetId: 'subnet-0123456789abcdef0',
        servedCidrs: ['10.0.0.0/16'], instanceTypes: ['t4g.nano'], tags: { owner: 'platform' },
      });
    });
    expect(hcl).toContain('  tags = {\n    Name               = "dev-shared"\n    "cdktf-egress:nat" = "dev-shared"\n');
    expect(hcl).toMatch(/\n  metadata_options \{\n    http_endpoint\s+= "enabled"\n/);
    expect(hcl).toMatch(/\n  block_device_mappings \{\n    device_name = "\/dev\/xvda"\n\n    ebs \{\n      delete_on_termination = "true"\n/);
    expect(hcl).toMatch(/\n  tag \{\n    key                 = "owner"\n    propagate_at_launch = false\n/);
    expect(hcl).not.toMatch(/^\s*(metadata_options|block_device_mappings|ebs|tag) = /m);
  });

  it('GIVEN the NAT module THEN its IAM policy is jsonencode() of the same document, and the ASG\'s dynamic blocks iterate by their own names', () => {
    const main = moduleJson('nat-instance').files['main.tf'];
    expect(main).toMatch(/policy = jsonencode\(\{\n\s+Version = "2012-10-17"/);
    expect(main).toContain('"aws:ResourceTag/cdktf-egress:nat" = var.name');
    expect(main).toMatch(/dynamic "override" \{\n\s+for_each = var.instance_types\n\n\s+content \{\n\s+instance_type = override.value/);
    expect(main).toMatch(/dynamic "tag" \{\n\s+for_each = merge\(var.tags, .*\)\n\n\s+content \{\n\s+key\s+= tag.key\n\s+value\s+= tag.value/);
    expect(main).not.toContain('iterator = each');
  });

  it('GIVEN a variable with validation THEN description, type and default lead and each check is its own block', () => {
    const variables = moduleJson('nat-instance').files['variables.tf'];
    expect(variables).toContain([
      'variable "root_volume_size" {',
      '  description = "Root volume size in GiB (gp3, encrypted)."',
      '  type        = number',
      '  default     = 8',
      '  nullable    = false',
      '',
      '  validation {',
      '    condition     = var.root_volume_size == floor(var.root_volume_size)',
      '    error_message = "root_volume_size must be an integer"',
      '  }',
    ].join('\n'));
  });

  it('GIVEN every module THEN rendering twice gives the same bytes (stable, diff-friendly output)', () => {
    const [first, second] = [generateModules(), generateModules()];
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [path, content] of first) expect(second.get(path)).toBe(content);
  });
});
