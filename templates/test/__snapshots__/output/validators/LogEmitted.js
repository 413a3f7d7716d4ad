// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Validates a LogEmitted payload; errors are ajv ErrorObjects with the failing instancePath,
// at most MAX_REPORTED_ERRORS of them (validate.truncated: more may exist).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

// first pass: stops at the first error
const firstError = (() => {
const module = { exports: {} };
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$id":"LogEmittedPayload.json","type":"object","additionalProperties":false,"required":["level","message"],"properties":{"level":{"type":"string","enum":["info","error"]},"message":{"type":"string","minLength":1}}};
const func2 = require("ajv/dist/runtime/ucs2length").default;

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="LogEmittedPayload.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.level === undefined) && (missing0 = "level")) || ((data.message === undefined) && (missing0 = "message"))){
validate10.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((key0 === "level") || (key0 === "message"))){
validate10.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.level !== undefined){
let data0 = data.level;
const _errs2 = errors;
if(typeof data0 !== "string"){
validate10.errors = [{instancePath:instancePath+"/level",schemaPath:"#/properties/level/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!((data0 === "info") || (data0 === "error"))){
validate10.errors = [{instancePath:instancePath+"/level",schemaPath:"#/properties/level/enum",keyword:"enum",params:{allowedValues: schema11.properties.level.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.message !== undefined){
let data1 = data.message;
const _errs4 = errors;
if(errors === _errs4){
if(typeof data1 === "string"){
if(func2(data1) < 1){
validate10.errors = [{instancePath:instancePath+"/message",schemaPath:"#/properties/message/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/message",schemaPath:"#/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
var valid0 = _errs4 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate10.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate10.errors = vErrors;
return errors === 0;
}

return module.exports;
})();

// second pass, only for a small invalid message: every error
const allErrors = (() => {
const module = { exports: {} };
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$id":"LogEmittedPayload.json","type":"object","additionalProperties":false,"required":["level","message"],"properties":{"level":{"type":"string","enum":["info","error"]},"message":{"type":"string","minLength":1}}};
const func2 = require("ajv/dist/runtime/ucs2length").default;

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="LogEmittedPayload.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.level === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "level"},message:"must have required property '"+"level"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.message === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "message"},message:"must have required property '"+"message"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((key0 === "level") || (key0 === "message"))){
const err2 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
}
if(data.level !== undefined){
let data0 = data.level;
if(typeof data0 !== "string"){
const err3 = {instancePath:instancePath+"/level",schemaPath:"#/properties/level/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(!((data0 === "info") || (data0 === "error"))){
const err4 = {instancePath:instancePath+"/level",schemaPath:"#/properties/level/enum",keyword:"enum",params:{allowedValues: schema11.properties.level.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.message !== undefined){
let data1 = data.message;
if(typeof data1 === "string"){
if(func2(data1) < 1){
const err5 = {instancePath:instancePath+"/message",schemaPath:"#/properties/message/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
else {
const err6 = {instancePath:instancePath+"/message",schemaPath:"#/properties/message/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
}
else {
const err7 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

return module.exports;
})();

/** Most errors one validation reports; `validate.truncated` says when more were cut. */
const MAX_REPORTED_ERRORS = 10;
/** Above any of these, an invalid message gets its first error only (allErrors is quadratic in the error count). */
const FULL_REPORT_LIMITS = { values: 2000, stringLength: 4096, totalStringLength: 65536 };

function isSmall(data) {
  let values = 0;
  let chars = 0;
  const stack = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (++values > FULL_REPORT_LIMITS.values) return false;
    if (typeof value === 'string') {
      chars += value.length;
      if (value.length > FULL_REPORT_LIMITS.stringLength || chars > FULL_REPORT_LIMITS.totalStringLength) return false;
    } else if (Array.isArray(value)) {
      if (values + value.length > FULL_REPORT_LIMITS.values) return false;
      for (const item of value) stack.push(item);
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (values + entries.length > FULL_REPORT_LIMITS.values) return false;
      for (const [key, item] of entries) {
        chars += key.length;
        if (key.length > FULL_REPORT_LIMITS.stringLength || chars > FULL_REPORT_LIMITS.totalStringLength) return false;
        stack.push(item);
      }
    }
  }
  return true;
}

export function validate(data) {
  validate.errors = null;
  validate.truncated = false;
  if (firstError(data)) return true;
  const first = firstError.errors ?? [];
  if (!isSmall(data)) {
    validate.errors = first.slice(0, MAX_REPORTED_ERRORS);
    validate.truncated = true;
    return false;
  }
  const all = allErrors(data) ? first : (allErrors.errors ?? first);
  validate.errors = all.slice(0, MAX_REPORTED_ERRORS);
  validate.truncated = all.length > MAX_REPORTED_ERRORS;
  return false;
}
export default validate;
