export * from "./list.js";
export * from "./live.js";
export * from "./transports.js";
