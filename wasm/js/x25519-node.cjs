// CommonJS entry of `enseal/x25519` (Node 20.19 and later), as node.cjs.
module.exports = require('./x25519-node.js');
