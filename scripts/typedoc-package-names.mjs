// A TypeDoc plugin for `pnpm docs` (typedoc.config.mjs):
// - names each module as users import it (`@fdistill/trainer/node`, not `trainer/src/node`);
// - warns when a documented declaration's type names a declaration of an @fdistill package that no
//   entry point exports (TypeDoc's own `notExported` check skips it when, as here, one program
//   holds several packages), so a type missing from a package's exports fails the run.
import { Application, Converter, makeRecursiveVisitor, Reflection } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.children ?? []) {
      const match = /^(?:packages\/)?([\w-]+)\/src(?:\/index)?(?:\/([\w-]+))?$/.exec(module.name);
      if (match) module.name = `@fdistill/${match[1]}${match[2] ? `/${match[2]}` : ''}`;
    }
  });
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const warned = new Set();
    for (const reflection of Object.values(project.reflections)) {
      const visitor = makeRecursiveVisitor({
        reference(type) {
          const packageName = type.symbolId?.packageName ?? '';
          if (type.reflection || !packageName.startsWith('@fdistill/')) return;
          const key = `${packageName}:${type.qualifiedName}`;
          if (warned.has(key)) return;
          warned.add(key);
          app.logger.validationWarning(
            `${type.qualifiedName}, defined in ${packageName}, is referenced by ${reflection.getFriendlyFullName()} but no entry point exports it`,
          );
        },
      });
      for (const type of typesOf(reflection)) type.visit(visitor);
    }
  });
}

/** The types a reflection states itself (not those it inherits). */
function typesOf(reflection) {
  const types = [reflection.type, reflection.default, ...(reflection.implementedTypes ?? [])];
  return types.filter((type) => type !== undefined && !(type instanceof Reflection));
}
