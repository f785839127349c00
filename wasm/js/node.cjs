// CommonJS entry: the ES module entry has no top-level await, so Node (20.19
// and later) can require() it synchronously, and both share one instance.
module.exports = require('./node.js');
