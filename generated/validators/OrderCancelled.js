// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Validates a OrderCancelled payload; errors are ajv ErrorObjects with the failing instancePath,
// at most MAX_REPORTED_ERRORS of them (validate.truncated: more may exist).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

// first pass: stops at the first error
const firstError = (() => {
const module = { exports: {} };
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$id":"OrderCancelledPayload.json","type":"object","additionalProperties":false,"required":["orderId","reason","restoredItems","cancelledAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"reason":{"type":"string","enum":["PAYMENT_FAILED"]},"restoredItems":{"type":"array","minItems":1,"maxItems":50,"items":{"$ref":"OrderItem.json"}},"cancelledAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema16 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats2 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const schema13 = {"$id":"OrderItem.json","type":"object","additionalProperties":false,"required":["productId","quantity"],"properties":{"productId":{"$ref":"ProductId.json"},"quantity":{"$ref":"Quantity.json"}}};
const schema14 = {"$id":"ProductId.json","type":"string","pattern":"^[A-Z][A-Z0-9-]{1,31}$","description":"Catalog code, e.g. A1215."};
const schema15 = {"$id":"Quantity.json","type":"integer","minimum":1,"maximum":1000};
const pattern0 = new RegExp("^[A-Z][A-Z0-9-]{1,31}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="OrderItem.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((data.productId === undefined) && (missing0 = "productId")) || ((data.quantity === undefined) && (missing0 = "quantity"))){
validate11.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((key0 === "productId") || (key0 === "quantity"))){
validate11.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.productId !== undefined){
let data0 = data.productId;
const _errs2 = errors;
const _errs3 = errors;
if(errors === _errs3){
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
validate11.errors = [{instancePath:instancePath+"/productId",schemaPath:"ProductId.json/pattern",keyword:"pattern",params:{pattern: "^[A-Z][A-Z0-9-]{1,31}$"},message:"must match pattern \""+"^[A-Z][A-Z0-9-]{1,31}$"+"\""}];
return false;
}
}
else {
validate11.errors = [{instancePath:instancePath+"/productId",schemaPath:"ProductId.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.quantity !== undefined){
let data1 = data.quantity;
const _errs5 = errors;
const _errs6 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate11.errors = [{instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs6){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 1000 || isNaN(data1)){
validate11.errors = [{instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000"}];
return false;
}
else {
if(data1 < 1 || isNaN(data1)){
validate11.errors = [{instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
return false;
}
}
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
}
}
}
}
else {
validate11.errors = [{instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
validate11.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="OrderCancelledPayload.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if(((((data.orderId === undefined) && (missing0 = "orderId")) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.restoredItems === undefined) && (missing0 = "restoredItems"))) || ((data.cancelledAt === undefined) && (missing0 = "cancelledAt"))){
validate10.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!((((key0 === "orderId") || (key0 === "reason")) || (key0 === "restoredItems")) || (key0 === "cancelledAt"))){
validate10.errors = [{instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"}];
return false;
break;
}
}
if(_errs1 === errors){
if(data.orderId !== undefined){
let data0 = data.orderId;
const _errs2 = errors;
const _errs3 = errors;
if(errors === _errs3){
if(errors === _errs3){
if(typeof data0 === "string"){
if(!(formats0.test(data0))){
validate10.errors = [{instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs2 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reason !== undefined){
let data1 = data.reason;
const _errs5 = errors;
if(typeof data1 !== "string"){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(data1 === "PAYMENT_FAILED")){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/enum",keyword:"enum",params:{allowedValues: schema11.properties.reason.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.restoredItems !== undefined){
let data2 = data.restoredItems;
const _errs7 = errors;
if(errors === _errs7){
if(Array.isArray(data2)){
if(data2.length > 50){
validate10.errors = [{instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/maxItems",keyword:"maxItems",params:{limit: 50},message:"must NOT have more than 50 items"}];
return false;
}
else {
if(data2.length < 1){
validate10.errors = [{instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"}];
return false;
}
else {
var valid2 = true;
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
const _errs9 = errors;
if(!(validate11(data2[i0], {instancePath:instancePath+"/restoredItems/" + i0,parentData:data2,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
var valid2 = _errs9 === errors;
if(!valid2){
break;
}
}
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.cancelledAt !== undefined){
let data4 = data.cancelledAt;
const _errs10 = errors;
const _errs11 = errors;
if(errors === _errs11){
if(errors === _errs11){
if(typeof data4 === "string"){
if(!(formats2.validate(data4))){
validate10.errors = [{instancePath:instancePath+"/cancelledAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/cancelledAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
}
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
const schema11 = {"$id":"OrderCancelledPayload.json","type":"object","additionalProperties":false,"required":["orderId","reason","restoredItems","cancelledAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"reason":{"type":"string","enum":["PAYMENT_FAILED"]},"restoredItems":{"type":"array","minItems":1,"maxItems":50,"items":{"$ref":"OrderItem.json"}},"cancelledAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema16 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats2 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const schema13 = {"$id":"OrderItem.json","type":"object","additionalProperties":false,"required":["productId","quantity"],"properties":{"productId":{"$ref":"ProductId.json"},"quantity":{"$ref":"Quantity.json"}}};
const schema14 = {"$id":"ProductId.json","type":"string","pattern":"^[A-Z][A-Z0-9-]{1,31}$","description":"Catalog code, e.g. A1215."};
const schema15 = {"$id":"Quantity.json","type":"integer","minimum":1,"maximum":1000};
const pattern0 = new RegExp("^[A-Z][A-Z0-9-]{1,31}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="OrderItem.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.productId === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "productId"},message:"must have required property '"+"productId"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.quantity === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "quantity"},message:"must have required property '"+"quantity"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
for(const key0 in data){
if(!((key0 === "productId") || (key0 === "quantity"))){
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
if(data.productId !== undefined){
let data0 = data.productId;
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err3 = {instancePath:instancePath+"/productId",schemaPath:"ProductId.json/pattern",keyword:"pattern",params:{pattern: "^[A-Z][A-Z0-9-]{1,31}$"},message:"must match pattern \""+"^[A-Z][A-Z0-9-]{1,31}$"+"\""};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
else {
const err4 = {instancePath:instancePath+"/productId",schemaPath:"ProductId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.quantity !== undefined){
let data1 = data.quantity;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err5 = {instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 1000 || isNaN(data1)){
const err6 = {instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if(data1 < 1 || isNaN(data1)){
const err7 = {instancePath:instancePath+"/quantity",schemaPath:"Quantity.json/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
}
else {
const err8 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="OrderCancelledPayload.json" */;
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.orderId === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "orderId"},message:"must have required property '"+"orderId"+"'"};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.reason === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.restoredItems === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "restoredItems"},message:"must have required property '"+"restoredItems"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.cancelledAt === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cancelledAt"},message:"must have required property '"+"cancelledAt"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
for(const key0 in data){
if(!((((key0 === "orderId") || (key0 === "reason")) || (key0 === "restoredItems")) || (key0 === "cancelledAt"))){
const err4 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
if(data.orderId !== undefined){
let data0 = data.orderId;
if(typeof data0 === "string"){
if(!(formats0.test(data0))){
const err5 = {instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""};
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
const err6 = {instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
}
if(data.reason !== undefined){
let data1 = data.reason;
if(typeof data1 !== "string"){
const err7 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(!(data1 === "PAYMENT_FAILED")){
const err8 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/enum",keyword:"enum",params:{allowedValues: schema11.properties.reason.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
if(data.restoredItems !== undefined){
let data2 = data.restoredItems;
if(Array.isArray(data2)){
if(data2.length > 50){
const err9 = {instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/maxItems",keyword:"maxItems",params:{limit: 50},message:"must NOT have more than 50 items"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if(data2.length < 1){
const err10 = {instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
const len0 = data2.length;
for(let i0=0; i0<len0; i0++){
if(!(validate11(data2[i0], {instancePath:instancePath+"/restoredItems/" + i0,parentData:data2,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err11 = {instancePath:instancePath+"/restoredItems",schemaPath:"#/properties/restoredItems/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.cancelledAt !== undefined){
let data4 = data.cancelledAt;
if(typeof data4 === "string"){
if(!(formats2.validate(data4))){
const err12 = {instancePath:instancePath+"/cancelledAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
}
else {
const err13 = {instancePath:instancePath+"/cancelledAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
}
else {
const err14 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
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
