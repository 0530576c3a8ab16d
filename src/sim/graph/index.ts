export { createGraphSim, type GraphSim, type GraphSimOptions, type RequestLogEntry, type DeltaExpiry, type VerifyBearer } from './graph-sim.js';
export { Faults, type FaultSpec, type SpoilKind } from './faults.js';
export { Throttle, type ThrottleConfig, type RetryAfterForm, type Violation } from './throttle.js';
