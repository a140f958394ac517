import { join } from 'node:path';
import ts from 'typescript';
import * as api from '../../lib';

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'lib', 'index.ts');

/** `Interface.prop` for every property of every exported interface that has no TSDoc text. */
function undocumentedProps(): { interfaces: string[]; undocumented: string[] } {
  const program = ts.createProgram([ENTRY], { strict: true, skipLibCheck: true, noEmit: true, esModuleInterop: true, resolveJsonModule: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(ENTRY);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`cannot read the exports of ${ENTRY}`);
  const interfaces: string[] = [];
  const undocumented: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (!(symbol.flags & ts.SymbolFlags.Interface)) continue;
    interfaces.push(exported.name);
    for (const prop of checker.getDeclaredTypeOfSymbol(symbol).getProperties()) {
      if (ts.displayPartsToString(prop.getDocumentationComment(checker)).trim() === '') undocumented.push(`${exported.name}.${prop.name}`);
    }
  }
  return { interfaces, undocumented };
}

describe('public API (lib/index.ts)', () => {
  it('GIVEN the package entry WHEN loaded THEN it exports the constructs, the spec loader and the stack', () => {
    for (const name of ['EgressNat', 'NatInstance', 'SpokeAttachment', 'EgressVpc', 'VpcEndpoints', 'EgressStack', 'SpecError'] as const) {
      expect(typeof api[name]).toBe('function');
    }
    expect(typeof api.loadSpecFile).toBe('function');
    expect(typeof api.parseSpec).toBe('function');
  });

  it('GIVEN every exported interface WHEN its properties are read by the TypeScript checker THEN each carries TSDoc', () => {
    const { interfaces, undocumented } = undocumentedProps();
    expect(interfaces).toEqual(expect.arrayContaining(['EgressNatProps', 'NatInstanceProps', 'SpokeAttachmentProps', 'EgressVpcProps', 'VpcEndpointsProps']));
    expect(undocumented).toEqual([]);
  }, 120_000);
});
