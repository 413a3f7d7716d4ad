// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Validates a OrderRejected payload; errors are ajv ErrorObjects with the failing instancePath,
// at most MAX_REPORTED_ERRORS of them (validate.truncated: more may exist).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

// first pass: stops at the first error
const firstError = (() => {
const module = { exports: {} };
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$id":"OrderRejectedPayload.json","type":"object","additionalProperties":false,"required":["orderId","customerId","email","reason","detail","problems","rejectedAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"customerId":{"$ref":"CustomerId.json"},"email":{"$ref":"Email.json"},"reason":{"type":"string","description":"UNKNOWN_PRODUCT when a line names no catalog product, else INSUFFICIENT_STOCK when\nthe stock cannot cover it, else AMOUNT_TOO_LARGE when a line total or the order\ntotal, priced from the catalog, is beyond what an order can hold (2147483647 minor units).\n","enum":["UNKNOWN_PRODUCT","INSUFFICIENT_STOCK","AMOUNT_TOO_LARGE"]},"detail":{"type":"string","minLength":1,"maxLength":2000},"problems":{"type":"array","description":"The lines with a stock problem (UNKNOWN_PRODUCT, INSUFFICIENT_STOCK); empty for AMOUNT_TOO_LARGE.","minItems":0,"maxItems":50,"items":{"$ref":"StockProblem.json"}},"rejectedAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema13 = {"$id":"CustomerId.json","type":"string","format":"uuid"};
const schema14 = {"$id":"Email.json","type":"string","format":"email","maxLength":254};
const schema18 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats4 = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const formats6 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const func2 = require("ajv/dist/runtime/ucs2length").default;
const schema15 = {"$id":"StockProblem.json","type":"object","additionalProperties":false,"required":["productId","requested","available"],"properties":{"productId":{"$ref":"ProductId.json"},"requested":{"$ref":"Quantity.json"},"available":{"type":["integer","null"],"minimum":0,"description":"Stock on hand when the order was checked; null for an unknown product."}}};
const schema16 = {"$id":"ProductId.json","type":"string","pattern":"^[A-Z][A-Z0-9-]{1,31}$","description":"Catalog code, e.g. A1215."};
const schema17 = {"$id":"Quantity.json","type":"integer","minimum":1,"maximum":1000};
const pattern0 = new RegExp("^[A-Z][A-Z0-9-]{1,31}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="StockProblem.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((data.productId === undefined) && (missing0 = "productId")) || ((data.requested === undefined) && (missing0 = "requested"))) || ((data.available === undefined) && (missing0 = "available"))){
validate11.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!(((key0 === "productId") || (key0 === "requested")) || (key0 === "available"))){
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
if(data.requested !== undefined){
let data1 = data.requested;
const _errs5 = errors;
const _errs6 = errors;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
validate11.errors = [{instancePath:instancePath+"/requested",schemaPath:"Quantity.json/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs6){
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 1000 || isNaN(data1)){
validate11.errors = [{instancePath:instancePath+"/requested",schemaPath:"Quantity.json/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000"}];
return false;
}
else {
if(data1 < 1 || isNaN(data1)){
validate11.errors = [{instancePath:instancePath+"/requested",schemaPath:"Quantity.json/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"}];
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
if(valid0){
if(data.available !== undefined){
let data2 = data.available;
const _errs8 = errors;
if((!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))) && (data2 !== null)){
validate11.errors = [{instancePath:instancePath+"/available",schemaPath:"#/properties/available/type",keyword:"type",params:{type: schema15.properties.available.type},message:"must be integer,null"}];
return false;
}
if(errors === _errs8){
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
validate11.errors = [{instancePath:instancePath+"/available",schemaPath:"#/properties/available/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"}];
return false;
}
}
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
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
/*# sourceURL="OrderRejectedPayload.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((data.orderId === undefined) && (missing0 = "orderId")) || ((data.customerId === undefined) && (missing0 = "customerId"))) || ((data.email === undefined) && (missing0 = "email"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.detail === undefined) && (missing0 = "detail"))) || ((data.problems === undefined) && (missing0 = "problems"))) || ((data.rejectedAt === undefined) && (missing0 = "rejectedAt"))){
validate10.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!(((((((key0 === "orderId") || (key0 === "customerId")) || (key0 === "email")) || (key0 === "reason")) || (key0 === "detail")) || (key0 === "problems")) || (key0 === "rejectedAt"))){
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
if(data.customerId !== undefined){
let data1 = data.customerId;
const _errs5 = errors;
const _errs6 = errors;
if(errors === _errs6){
if(errors === _errs6){
if(typeof data1 === "string"){
if(!(formats0.test(data1))){
validate10.errors = [{instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs5 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.email !== undefined){
let data2 = data.email;
const _errs8 = errors;
const _errs9 = errors;
if(errors === _errs9){
if(errors === _errs9){
if(typeof data2 === "string"){
if(func2(data2) > 254){
validate10.errors = [{instancePath:instancePath+"/email",schemaPath:"Email.json/maxLength",keyword:"maxLength",params:{limit: 254},message:"must NOT have more than 254 characters"}];
return false;
}
else {
if(!(formats4.test(data2))){
validate10.errors = [{instancePath:instancePath+"/email",schemaPath:"Email.json/format",keyword:"format",params:{format: "email"},message:"must match format \""+"email"+"\""}];
return false;
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/email",schemaPath:"Email.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs8 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reason !== undefined){
let data3 = data.reason;
const _errs11 = errors;
if(typeof data3 !== "string"){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
if(!(((data3 === "UNKNOWN_PRODUCT") || (data3 === "INSUFFICIENT_STOCK")) || (data3 === "AMOUNT_TOO_LARGE"))){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/enum",keyword:"enum",params:{allowedValues: schema11.properties.reason.enum},message:"must be equal to one of the allowed values"}];
return false;
}
var valid0 = _errs11 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.detail !== undefined){
let data4 = data.detail;
const _errs13 = errors;
if(errors === _errs13){
if(typeof data4 === "string"){
if(func2(data4) > 2000){
validate10.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/maxLength",keyword:"maxLength",params:{limit: 2000},message:"must NOT have more than 2000 characters"}];
return false;
}
else {
if(func2(data4) < 1){
validate10.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"}];
return false;
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.problems !== undefined){
let data5 = data.problems;
const _errs15 = errors;
if(errors === _errs15){
if(Array.isArray(data5)){
if(data5.length > 50){
validate10.errors = [{instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/maxItems",keyword:"maxItems",params:{limit: 50},message:"must NOT have more than 50 items"}];
return false;
}
else {
if(data5.length < 0){
validate10.errors = [{instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/minItems",keyword:"minItems",params:{limit: 0},message:"must NOT have fewer than 0 items"}];
return false;
}
else {
var valid4 = true;
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
const _errs17 = errors;
if(!(validate11(data5[i0], {instancePath:instancePath+"/problems/" + i0,parentData:data5,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
var valid4 = _errs17 === errors;
if(!valid4){
break;
}
}
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/type",keyword:"type",params:{type: "array"},message:"must be array"}];
return false;
}
}
var valid0 = _errs15 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.rejectedAt !== undefined){
let data7 = data.rejectedAt;
const _errs18 = errors;
const _errs19 = errors;
if(errors === _errs19){
if(errors === _errs19){
if(typeof data7 === "string"){
if(!(formats6.validate(data7))){
validate10.errors = [{instancePath:instancePath+"/rejectedAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/rejectedAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs18 === errors;
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
const schema11 = {"$id":"OrderRejectedPayload.json","type":"object","additionalProperties":false,"required":["orderId","customerId","email","reason","detail","problems","rejectedAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"customerId":{"$ref":"CustomerId.json"},"email":{"$ref":"Email.json"},"reason":{"type":"string","description":"UNKNOWN_PRODUCT when a line names no catalog product, else INSUFFICIENT_STOCK when\nthe stock cannot cover it, else AMOUNT_TOO_LARGE when a line total or the order\ntotal, priced from the catalog, is beyond what an order can hold (2147483647 minor units).\n","enum":["UNKNOWN_PRODUCT","INSUFFICIENT_STOCK","AMOUNT_TOO_LARGE"]},"detail":{"type":"string","minLength":1,"maxLength":2000},"problems":{"type":"array","description":"The lines with a stock problem (UNKNOWN_PRODUCT, INSUFFICIENT_STOCK); empty for AMOUNT_TOO_LARGE.","minItems":0,"maxItems":50,"items":{"$ref":"StockProblem.json"}},"rejectedAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema13 = {"$id":"CustomerId.json","type":"string","format":"uuid"};
const schema14 = {"$id":"Email.json","type":"string","format":"email","maxLength":254};
const schema18 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats4 = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const formats6 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const func2 = require("ajv/dist/runtime/ucs2length").default;
const schema15 = {"$id":"StockProblem.json","type":"object","additionalProperties":false,"required":["productId","requested","available"],"properties":{"productId":{"$ref":"ProductId.json"},"requested":{"$ref":"Quantity.json"},"available":{"type":["integer","null"],"minimum":0,"description":"Stock on hand when the order was checked; null for an unknown product."}}};
const schema16 = {"$id":"ProductId.json","type":"string","pattern":"^[A-Z][A-Z0-9-]{1,31}$","description":"Catalog code, e.g. A1215."};
const schema17 = {"$id":"Quantity.json","type":"integer","minimum":1,"maximum":1000};
const pattern0 = new RegExp("^[A-Z][A-Z0-9-]{1,31}$", "u");

function validate11(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="StockProblem.json" */;
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
if(data.requested === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "requested"},message:"must have required property '"+"requested"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.available === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "available"},message:"must have required property '"+"available"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
for(const key0 in data){
if(!(((key0 === "productId") || (key0 === "requested")) || (key0 === "available"))){
const err3 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
}
if(data.productId !== undefined){
let data0 = data.productId;
if(typeof data0 === "string"){
if(!pattern0.test(data0)){
const err4 = {instancePath:instancePath+"/productId",schemaPath:"ProductId.json/pattern",keyword:"pattern",params:{pattern: "^[A-Z][A-Z0-9-]{1,31}$"},message:"must match pattern \""+"^[A-Z][A-Z0-9-]{1,31}$"+"\""};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
}
else {
const err5 = {instancePath:instancePath+"/productId",schemaPath:"ProductId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
if(data.requested !== undefined){
let data1 = data.requested;
if(!(((typeof data1 == "number") && (!(data1 % 1) && !isNaN(data1))) && (isFinite(data1)))){
const err6 = {instancePath:instancePath+"/requested",schemaPath:"Quantity.json/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
if((typeof data1 == "number") && (isFinite(data1))){
if(data1 > 1000 || isNaN(data1)){
const err7 = {instancePath:instancePath+"/requested",schemaPath:"Quantity.json/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1000},message:"must be <= 1000"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
if(data1 < 1 || isNaN(data1)){
const err8 = {instancePath:instancePath+"/requested",schemaPath:"Quantity.json/minimum",keyword:"minimum",params:{comparison: ">=", limit: 1},message:"must be >= 1"};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
}
if(data.available !== undefined){
let data2 = data.available;
if((!(((typeof data2 == "number") && (!(data2 % 1) && !isNaN(data2))) && (isFinite(data2)))) && (data2 !== null)){
const err9 = {instancePath:instancePath+"/available",schemaPath:"#/properties/available/type",keyword:"type",params:{type: schema15.properties.available.type},message:"must be integer,null"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
if((typeof data2 == "number") && (isFinite(data2))){
if(data2 < 0 || isNaN(data2)){
const err10 = {instancePath:instancePath+"/available",schemaPath:"#/properties/available/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
}
}
else {
const err11 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
validate11.errors = vErrors;
return errors === 0;
}


function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="OrderRejectedPayload.json" */;
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
if(data.customerId === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "customerId"},message:"must have required property '"+"customerId"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.email === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "email"},message:"must have required property '"+"email"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.reason === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.detail === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "detail"},message:"must have required property '"+"detail"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.problems === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "problems"},message:"must have required property '"+"problems"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.rejectedAt === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "rejectedAt"},message:"must have required property '"+"rejectedAt"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
for(const key0 in data){
if(!(((((((key0 === "orderId") || (key0 === "customerId")) || (key0 === "email")) || (key0 === "reason")) || (key0 === "detail")) || (key0 === "problems")) || (key0 === "rejectedAt"))){
const err7 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
if(data.orderId !== undefined){
let data0 = data.orderId;
if(typeof data0 === "string"){
if(!(formats0.test(data0))){
const err8 = {instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
}
else {
const err9 = {instancePath:instancePath+"/orderId",schemaPath:"OrderId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
}
if(data.customerId !== undefined){
let data1 = data.customerId;
if(typeof data1 === "string"){
if(!(formats0.test(data1))){
const err10 = {instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
}
else {
const err11 = {instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.email !== undefined){
let data2 = data.email;
if(typeof data2 === "string"){
if(func2(data2) > 254){
const err12 = {instancePath:instancePath+"/email",schemaPath:"Email.json/maxLength",keyword:"maxLength",params:{limit: 254},message:"must NOT have more than 254 characters"};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(!(formats4.test(data2))){
const err13 = {instancePath:instancePath+"/email",schemaPath:"Email.json/format",keyword:"format",params:{format: "email"},message:"must match format \""+"email"+"\""};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
else {
const err14 = {instancePath:instancePath+"/email",schemaPath:"Email.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
}
if(data.reason !== undefined){
let data3 = data.reason;
if(typeof data3 !== "string"){
const err15 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
if(!(((data3 === "UNKNOWN_PRODUCT") || (data3 === "INSUFFICIENT_STOCK")) || (data3 === "AMOUNT_TOO_LARGE"))){
const err16 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/enum",keyword:"enum",params:{allowedValues: schema11.properties.reason.enum},message:"must be equal to one of the allowed values"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data.detail !== undefined){
let data4 = data.detail;
if(typeof data4 === "string"){
if(func2(data4) > 2000){
const err17 = {instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/maxLength",keyword:"maxLength",params:{limit: 2000},message:"must NOT have more than 2000 characters"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(func2(data4) < 1){
const err18 = {instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
else {
const err19 = {instancePath:instancePath+"/detail",schemaPath:"#/properties/detail/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data.problems !== undefined){
let data5 = data.problems;
if(Array.isArray(data5)){
if(data5.length > 50){
const err20 = {instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/maxItems",keyword:"maxItems",params:{limit: 50},message:"must NOT have more than 50 items"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if(data5.length < 0){
const err21 = {instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/minItems",keyword:"minItems",params:{limit: 0},message:"must NOT have fewer than 0 items"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
const len0 = data5.length;
for(let i0=0; i0<len0; i0++){
if(!(validate11(data5[i0], {instancePath:instancePath+"/problems/" + i0,parentData:data5,parentDataProperty:i0,rootData}))){
vErrors = vErrors === null ? validate11.errors : vErrors.concat(validate11.errors);
errors = vErrors.length;
}
}
}
else {
const err22 = {instancePath:instancePath+"/problems",schemaPath:"#/properties/problems/type",keyword:"type",params:{type: "array"},message:"must be array"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
if(data.rejectedAt !== undefined){
let data7 = data.rejectedAt;
if(typeof data7 === "string"){
if(!(formats6.validate(data7))){
const err23 = {instancePath:instancePath+"/rejectedAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
}
else {
const err24 = {instancePath:instancePath+"/rejectedAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
}
}
else {
const err25 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
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
