// Generated from asyncapi.yaml by templates/ (npm run generate). Do not edit.
// Validates a PaymentFailed payload; errors are ajv ErrorObjects with the failing instancePath,
// at most MAX_REPORTED_ERRORS of them (validate.truncated: more may exist).
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

// first pass: stops at the first error
const firstError = (() => {
const module = { exports: {} };
"use strict";
module.exports = validate10;
module.exports.default = validate10;
const schema11 = {"$id":"PaymentFailedPayload.json","type":"object","additionalProperties":false,"required":["orderId","paymentId","customerId","email","amount","reason","failedAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"paymentId":{"type":"string","format":"uuid"},"customerId":{"$ref":"CustomerId.json"},"email":{"$ref":"Email.json"},"amount":{"$ref":"Money.json"},"reason":{"type":"string","minLength":1,"maxLength":500},"failedAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema13 = {"$id":"CustomerId.json","type":"string","format":"uuid"};
const schema14 = {"$id":"Email.json","type":"string","format":"email","maxLength":254};
const schema15 = {"$id":"Money.json","type":"object","description":"An amount in integer minor units (cents) with its ISO 4217 currency code.","additionalProperties":false,"required":["amount","currency"],"properties":{"amount":{"type":"integer","minimum":0,"maximum":2147483647},"currency":{"type":"string","pattern":"^[A-Z]{3}$"}}};
const schema16 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats6 = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const formats8 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const func2 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^[A-Z]{3}$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="PaymentFailedPayload.json" */;
let vErrors = null;
let errors = 0;
if(errors === 0){
if(data && typeof data == "object" && !Array.isArray(data)){
let missing0;
if((((((((data.orderId === undefined) && (missing0 = "orderId")) || ((data.paymentId === undefined) && (missing0 = "paymentId"))) || ((data.customerId === undefined) && (missing0 = "customerId"))) || ((data.email === undefined) && (missing0 = "email"))) || ((data.amount === undefined) && (missing0 = "amount"))) || ((data.reason === undefined) && (missing0 = "reason"))) || ((data.failedAt === undefined) && (missing0 = "failedAt"))){
validate10.errors = [{instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: missing0},message:"must have required property '"+missing0+"'"}];
return false;
}
else {
const _errs1 = errors;
for(const key0 in data){
if(!(((((((key0 === "orderId") || (key0 === "paymentId")) || (key0 === "customerId")) || (key0 === "email")) || (key0 === "amount")) || (key0 === "reason")) || (key0 === "failedAt"))){
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
if(data.paymentId !== undefined){
let data1 = data.paymentId;
const _errs5 = errors;
if(errors === _errs5){
if(errors === _errs5){
if(typeof data1 === "string"){
if(!(formats0.test(data1))){
validate10.errors = [{instancePath:instancePath+"/paymentId",schemaPath:"#/properties/paymentId/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/paymentId",schemaPath:"#/properties/paymentId/type",keyword:"type",params:{type: "string"},message:"must be string"}];
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
if(data.customerId !== undefined){
let data2 = data.customerId;
const _errs7 = errors;
const _errs8 = errors;
if(errors === _errs8){
if(errors === _errs8){
if(typeof data2 === "string"){
if(!(formats0.test(data2))){
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
var valid0 = _errs7 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.email !== undefined){
let data3 = data.email;
const _errs10 = errors;
const _errs11 = errors;
if(errors === _errs11){
if(errors === _errs11){
if(typeof data3 === "string"){
if(func2(data3) > 254){
validate10.errors = [{instancePath:instancePath+"/email",schemaPath:"Email.json/maxLength",keyword:"maxLength",params:{limit: 254},message:"must NOT have more than 254 characters"}];
return false;
}
else {
if(!(formats6.test(data3))){
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
var valid0 = _errs10 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.amount !== undefined){
let data4 = data.amount;
const _errs13 = errors;
const _errs14 = errors;
if(errors === _errs14){
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
let missing1;
if(((data4.amount === undefined) && (missing1 = "amount")) || ((data4.currency === undefined) && (missing1 = "currency"))){
validate10.errors = [{instancePath:instancePath+"/amount",schemaPath:"Money.json/required",keyword:"required",params:{missingProperty: missing1},message:"must have required property '"+missing1+"'"}];
return false;
}
else {
const _errs16 = errors;
for(const key1 in data4){
if(!((key1 === "amount") || (key1 === "currency"))){
validate10.errors = [{instancePath:instancePath+"/amount",schemaPath:"Money.json/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"}];
return false;
break;
}
}
if(_errs16 === errors){
if(data4.amount !== undefined){
let data5 = data4.amount;
const _errs17 = errors;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
validate10.errors = [{instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/type",keyword:"type",params:{type: "integer"},message:"must be integer"}];
return false;
}
if(errors === _errs17){
if((typeof data5 == "number") && (isFinite(data5))){
if(data5 > 2147483647 || isNaN(data5)){
validate10.errors = [{instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2147483647},message:"must be <= 2147483647"}];
return false;
}
else {
if(data5 < 0 || isNaN(data5)){
validate10.errors = [{instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"}];
return false;
}
}
}
}
var valid5 = _errs17 === errors;
}
else {
var valid5 = true;
}
if(valid5){
if(data4.currency !== undefined){
let data6 = data4.currency;
const _errs19 = errors;
if(errors === _errs19){
if(typeof data6 === "string"){
if(!pattern0.test(data6)){
validate10.errors = [{instancePath:instancePath+"/amount/currency",schemaPath:"Money.json/properties/currency/pattern",keyword:"pattern",params:{pattern: "^[A-Z]{3}$"},message:"must match pattern \""+"^[A-Z]{3}$"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/amount/currency",schemaPath:"Money.json/properties/currency/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
var valid5 = _errs19 === errors;
}
else {
var valid5 = true;
}
}
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/amount",schemaPath:"Money.json/type",keyword:"type",params:{type: "object"},message:"must be object"}];
return false;
}
}
var valid0 = _errs13 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.reason !== undefined){
let data7 = data.reason;
const _errs21 = errors;
if(errors === _errs21){
if(typeof data7 === "string"){
if(func2(data7) > 500){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/maxLength",keyword:"maxLength",params:{limit: 500},message:"must NOT have more than 500 characters"}];
return false;
}
else {
if(func2(data7) < 1){
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"}];
return false;
}
}
}
else {
validate10.errors = [{instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
var valid0 = _errs21 === errors;
}
else {
var valid0 = true;
}
if(valid0){
if(data.failedAt !== undefined){
let data8 = data.failedAt;
const _errs23 = errors;
const _errs24 = errors;
if(errors === _errs24){
if(errors === _errs24){
if(typeof data8 === "string"){
if(!(formats8.validate(data8))){
validate10.errors = [{instancePath:instancePath+"/failedAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""}];
return false;
}
}
else {
validate10.errors = [{instancePath:instancePath+"/failedAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"}];
return false;
}
}
}
var valid0 = _errs23 === errors;
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
const schema11 = {"$id":"PaymentFailedPayload.json","type":"object","additionalProperties":false,"required":["orderId","paymentId","customerId","email","amount","reason","failedAt"],"properties":{"orderId":{"$ref":"OrderId.json"},"paymentId":{"type":"string","format":"uuid"},"customerId":{"$ref":"CustomerId.json"},"email":{"$ref":"Email.json"},"amount":{"$ref":"Money.json"},"reason":{"type":"string","minLength":1,"maxLength":500},"failedAt":{"$ref":"Timestamp.json"}}};
const schema12 = {"$id":"OrderId.json","type":"string","format":"uuid","description":"The order's id, chosen by the API."};
const schema13 = {"$id":"CustomerId.json","type":"string","format":"uuid"};
const schema14 = {"$id":"Email.json","type":"string","format":"email","maxLength":254};
const schema15 = {"$id":"Money.json","type":"object","description":"An amount in integer minor units (cents) with its ISO 4217 currency code.","additionalProperties":false,"required":["amount","currency"],"properties":{"amount":{"type":"integer","minimum":0,"maximum":2147483647},"currency":{"type":"string","pattern":"^[A-Z]{3}$"}}};
const schema16 = {"$id":"Timestamp.json","type":"string","format":"date-time"};
const formats0 = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const formats6 = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const formats8 = require("ajv-formats/dist/formats").fullFormats["date-time"];
const func2 = require("ajv/dist/runtime/ucs2length").default;
const pattern0 = new RegExp("^[A-Z]{3}$", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
/*# sourceURL="PaymentFailedPayload.json" */;
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
if(data.paymentId === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "paymentId"},message:"must have required property '"+"paymentId"+"'"};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.customerId === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "customerId"},message:"must have required property '"+"customerId"+"'"};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.email === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "email"},message:"must have required property '"+"email"+"'"};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.amount === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "amount"},message:"must have required property '"+"amount"+"'"};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
if(data.reason === undefined){
const err5 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "reason"},message:"must have required property '"+"reason"+"'"};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
if(data.failedAt === undefined){
const err6 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "failedAt"},message:"must have required property '"+"failedAt"+"'"};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
for(const key0 in data){
if(!(((((((key0 === "orderId") || (key0 === "paymentId")) || (key0 === "customerId")) || (key0 === "email")) || (key0 === "amount")) || (key0 === "reason")) || (key0 === "failedAt"))){
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
if(data.paymentId !== undefined){
let data1 = data.paymentId;
if(typeof data1 === "string"){
if(!(formats0.test(data1))){
const err10 = {instancePath:instancePath+"/paymentId",schemaPath:"#/properties/paymentId/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""};
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
const err11 = {instancePath:instancePath+"/paymentId",schemaPath:"#/properties/paymentId/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
}
if(data.customerId !== undefined){
let data2 = data.customerId;
if(typeof data2 === "string"){
if(!(formats0.test(data2))){
const err12 = {instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/format",keyword:"format",params:{format: "uuid"},message:"must match format \""+"uuid"+"\""};
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
const err13 = {instancePath:instancePath+"/customerId",schemaPath:"CustomerId.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
}
if(data.email !== undefined){
let data3 = data.email;
if(typeof data3 === "string"){
if(func2(data3) > 254){
const err14 = {instancePath:instancePath+"/email",schemaPath:"Email.json/maxLength",keyword:"maxLength",params:{limit: 254},message:"must NOT have more than 254 characters"};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(!(formats6.test(data3))){
const err15 = {instancePath:instancePath+"/email",schemaPath:"Email.json/format",keyword:"format",params:{format: "email"},message:"must match format \""+"email"+"\""};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
}
else {
const err16 = {instancePath:instancePath+"/email",schemaPath:"Email.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
if(data.amount !== undefined){
let data4 = data.amount;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
if(data4.amount === undefined){
const err17 = {instancePath:instancePath+"/amount",schemaPath:"Money.json/required",keyword:"required",params:{missingProperty: "amount"},message:"must have required property '"+"amount"+"'"};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(data4.currency === undefined){
const err18 = {instancePath:instancePath+"/amount",schemaPath:"Money.json/required",keyword:"required",params:{missingProperty: "currency"},message:"must have required property '"+"currency"+"'"};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
for(const key1 in data4){
if(!((key1 === "amount") || (key1 === "currency"))){
const err19 = {instancePath:instancePath+"/amount",schemaPath:"Money.json/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key1},message:"must NOT have additional properties"};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
}
if(data4.amount !== undefined){
let data5 = data4.amount;
if(!(((typeof data5 == "number") && (!(data5 % 1) && !isNaN(data5))) && (isFinite(data5)))){
const err20 = {instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/type",keyword:"type",params:{type: "integer"},message:"must be integer"};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if((typeof data5 == "number") && (isFinite(data5))){
if(data5 > 2147483647 || isNaN(data5)){
const err21 = {instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/maximum",keyword:"maximum",params:{comparison: "<=", limit: 2147483647},message:"must be <= 2147483647"};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
if(data5 < 0 || isNaN(data5)){
const err22 = {instancePath:instancePath+"/amount/amount",schemaPath:"Money.json/properties/amount/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0"};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
}
}
if(data4.currency !== undefined){
let data6 = data4.currency;
if(typeof data6 === "string"){
if(!pattern0.test(data6)){
const err23 = {instancePath:instancePath+"/amount/currency",schemaPath:"Money.json/properties/currency/pattern",keyword:"pattern",params:{pattern: "^[A-Z]{3}$"},message:"must match pattern \""+"^[A-Z]{3}$"+"\""};
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
const err24 = {instancePath:instancePath+"/amount/currency",schemaPath:"Money.json/properties/currency/type",keyword:"type",params:{type: "string"},message:"must be string"};
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
const err25 = {instancePath:instancePath+"/amount",schemaPath:"Money.json/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
}
if(data.reason !== undefined){
let data7 = data.reason;
if(typeof data7 === "string"){
if(func2(data7) > 500){
const err26 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/maxLength",keyword:"maxLength",params:{limit: 500},message:"must NOT have more than 500 characters"};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
if(func2(data7) < 1){
const err27 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/minLength",keyword:"minLength",params:{limit: 1},message:"must NOT have fewer than 1 characters"};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
else {
const err28 = {instancePath:instancePath+"/reason",schemaPath:"#/properties/reason/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
}
if(data.failedAt !== undefined){
let data8 = data.failedAt;
if(typeof data8 === "string"){
if(!(formats8.validate(data8))){
const err29 = {instancePath:instancePath+"/failedAt",schemaPath:"Timestamp.json/format",keyword:"format",params:{format: "date-time"},message:"must match format \""+"date-time"+"\""};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
else {
const err30 = {instancePath:instancePath+"/failedAt",schemaPath:"Timestamp.json/type",keyword:"type",params:{type: "string"},message:"must be string"};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
}
}
else {
const err31 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object"};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
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
