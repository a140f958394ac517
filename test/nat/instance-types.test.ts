import {
  INSTANCE_TYPES,
  architectureOf,
  defaultInstanceTypes,
  enisNeeded,
  instanceTypeInfo,
  typesShortOfEnis,
} from '../../lib/nat/instance-types';

describe('architectureOf', () => {
  it.each(['t4g.nano', 'c6g.large', 'c6gn.medium', 'c7gn.4xlarge', 'm7g.medium', 'r8g.large', 'c7gd.large', 'im4gn.large'])(
    'GIVEN Graviton type %s THEN it is arm64',
    (type) => expect(architectureOf(type)).toBe('arm64'),
  );

  it.each(['t3.nano', 't3a.micro', 'm5.large', 'm6i.large', 'c6in.large', 'm7i-flex.large', 'g4dn.xlarge'])(
    'GIVEN Intel or AMD type %s THEN it is x86_64',
    (type) => expect(architectureOf(type)).toBe('x86_64'),
  );

  it('GIVEN every type in the catalog THEN the name-based rule agrees with the catalog', () => {
    for (const info of INSTANCE_TYPES) expect([info.type, architectureOf(info.type)]).toEqual([info.type, info.architecture]);
  });
});

describe('enisNeeded', () => {
  it.each([
    ['dedicated', 0, 2],
    ['dedicated', 2, 4],
    ['primary', 1, 2],
    ['primary', 2, 3],
  ] as const)('GIVEN %s egress and %i spokes THEN %i interfaces are needed', (mode, spokes, needed) => {
    expect(enisNeeded(mode, spokes)).toBe(needed);
  });
});

describe('typesShortOfEnis', () => {
  it('GIVEN types of mixed limits THEN only the known types below the need are returned, with their limits', () => {
    expect(typesShortOfEnis(['t4g.nano', 't4g.small', 't3.micro', 't4g.xlarge'], 3)).toEqual([
      { type: 't4g.nano', architecture: 'arm64', maxEnis: 2 },
      { type: 't3.micro', architecture: 'x86_64', maxEnis: 2 },
    ]);
  });

  it('GIVEN an unknown type THEN it is not judged', () => {
    expect(typesShortOfEnis(['z9.nano'], 8)).toEqual([]);
  });

  it('GIVEN a need equal to the limit THEN the type fits', () => {
    expect(typesShortOfEnis(['t4g.small'], 3)).toEqual([]);
  });
});

describe('instanceTypeInfo', () => {
  it('GIVEN a catalog type THEN its limit is returned; GIVEN another THEN undefined', () => {
    expect(instanceTypeInfo('c6gn.4xlarge')).toEqual({ type: 'c6gn.4xlarge', architecture: 'arm64', maxEnis: 8 });
    expect(instanceTypeInfo('t2.micro')).toBeUndefined();
  });

  it('GIVEN the catalog THEN no type is listed twice', () => {
    expect(new Set(INSTANCE_TYPES.map((info) => info.type)).size).toBe(INSTANCE_TYPES.length);
  });
});

describe('defaultInstanceTypes', () => {
  it.each([
    [1, ['t4g.nano', 't4g.micro']],
    [2, ['t4g.nano', 't4g.micro']],
    [3, ['t4g.small', 't4g.medium']],
    [4, ['t4g.xlarge', 'c6g.xlarge']],
    [8, ['c6gn.4xlarge', 'c7gn.4xlarge']],
  ])('GIVEN %i interfaces needed THEN the two cheapest Graviton types that carry them are %j', (needed, types) => {
    expect(defaultInstanceTypes(needed)).toEqual(types);
  });

  it('GIVEN 9 interfaces needed THEN it throws: no type in the catalog carries that many', () => {
    expect(() => defaultInstanceTypes(9)).toThrow('no instance type in the catalog carries 9 network interfaces (the most is 8)');
  });
});
