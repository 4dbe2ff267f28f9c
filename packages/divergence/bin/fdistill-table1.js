#!/usr/bin/env node
// The fdistill-table1 command: a committed shim (so installs can link it before any build) that
// runs the built CLI.
import '../dist/table1-cli.js';
