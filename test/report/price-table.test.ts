import { defaultInstanceTypes, INSTANCE_TYPES } from '../../lib/nat/instance-types';
import { instanceHourPrice, knownRegions, PriceError, priceTable, regionPrices } from '../../lib/report/price-table';

const REQUIRED_FAMILIES = ['t4g', 't3', 't3a', 'c6gn', 'c7gn'];

describe('price table (lib/report/prices.json)', () => {
  it('GIVEN the file WHEN loaded THEN it passes its schema (https source and ISO date on every figure) and has both regions', () => {
    expect(knownRegions()).toEqual(expect.arrayContaining(['ap-northeast-1', 'us-east-1']));
  });

  it.each(['us-east-1', 'ap-northeast-1'])('GIVEN %s WHEN looking up every catalog type of the required families THEN each has both figures', (region) => {
    const required = INSTANCE_TYPES.filter((info) => REQUIRED_FAMILIES.includes(info.type.split('.')[0])).map((info) => info.type);
    const missing = required.filter((type) => !(type in regionPrices(region).instances));
    expect(missing).toEqual([]);
  });

  it.each(['us-east-1', 'ap-northeast-1'])('GIVEN %s WHEN a NAT lists no types THEN the default type for any interface count is priced', (region) => {
    for (let enis = 2; enis <= 8; enis++) {
      expect(() => instanceHourPrice(region, defaultInstanceTypes(enis)[0], true)).not.toThrow();
    }
  });

  it('GIVEN every priced type WHEN compared THEN the typical spot price is below on-demand and every type is in the catalog', () => {
    const catalog = new Set(INSTANCE_TYPES.map((info) => info.type));
    for (const [region, prices] of Object.entries(priceTable().regions)) {
      for (const [type, { onDemand, spot }] of Object.entries(prices.instances)) {
        expect({ region, type, catalog: catalog.has(type), cheaper: spot.usd < onDemand.usd }).toEqual({ region, type, catalog: true, cheaper: true });
      }
    }
  });

  it('GIVEN a figure dated in the future or a source off aws.amazon.com WHEN checked THEN none is found', () => {
    const today = new Date().toISOString().slice(0, 10);
    const figures = Object.values(priceTable().regions).flatMap(({ instances, ...services }) => [
      ...Object.values(services),
      ...Object.values(instances).flatMap((i) => [i.onDemand, i.spot]),
    ]);
    expect(figures.filter((f) => f.date > today || !f.source.startsWith('https://aws.amazon.com/'))).toEqual([]);
  });

  it('GIVEN an unknown region WHEN looked up THEN a PriceError names it and the known ones', () => {
    expect(() => regionPrices('sa-east-1')).toThrow(PriceError);
    expect(() => regionPrices('sa-east-1')).toThrow(/region sa-east-1 .* it has ap-northeast-1, us-east-1/);
  });

  it('GIVEN a key inherited from Object.prototype WHEN looked up as a region or type THEN it is unknown, not a crash', () => {
    expect(() => regionPrices('constructor')).toThrow(PriceError);
    expect(() => instanceHourPrice('us-east-1', 'toString', true)).toThrow(PriceError);
  });
});
