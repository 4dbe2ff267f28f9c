#!/usr/bin/env node
import { divergenceTable, formatDivergenceTable } from './divergence-table.js';

console.log('f-distill, paper Table 1 computed from @fdistill/divergence');
console.log("h(r) = f''(r) r^2; Var = Var_q(h / E_q h) for N(m, 1) against N(0, 1)\n");
console.log(formatDivergenceTable(divergenceTable()));
